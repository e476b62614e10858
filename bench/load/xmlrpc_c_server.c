/* The xmlrpc-c peer for bench/load.sh: an Abyss server (xmlrpc-c's own HTTP server, one
 * thread per connection) with the two methods of the load benchmark, add(i, i) and echo(v).
 *
 *   gcc -O2 -o xmlrpc_c_server xmlrpc_c_server.c $(xmlrpc-c-config abyss-server --cflags --libs)
 *   ./xmlrpc_c_server 127.0.0.1 8082
 *
 * Settings chosen so that xmlrpc-c is measured at its best, not at its defaults: keep-alive
 * for as many requests as a connection sends (Abyss closes a connection after 30 by default),
 * 64 connections at once (default 15, fewer than the benchmark's 16), and an XML size limit of
 * 64 MiB (default 512 KiB, smaller than the echo call). It listens on the given loopback
 * address only, through a socket bound here.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/server.h>
#include <xmlrpc-c/server_abyss.h>

static xmlrpc_value *add(xmlrpc_env *env, xmlrpc_value *params, void *server_info,
                         void *call_info) {
    xmlrpc_int32 x, y;
    (void)server_info;
    (void)call_info;
    xmlrpc_decompose_value(env, params, "(ii)", &x, &y);
    if (env->fault_occurred)
        return NULL;
    return xmlrpc_build_value(env, "i", x + y);
}

static xmlrpc_value *echo(xmlrpc_env *env, xmlrpc_value *params, void *server_info,
                          void *call_info) {
    xmlrpc_value *value;
    (void)server_info;
    (void)call_info;
    /* A new reference, handed to the server with the result. */
    xmlrpc_array_read_item(env, params, 0, &value);
    if (env->fault_occurred)
        return NULL;
    return value;
}

static void die(xmlrpc_env *env, const char *what) {
    fprintf(stderr, "xmlrpc_c_server: %s: %s\n", what,
            env->fault_occurred ? env->fault_string : "failed");
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s ADDRESS PORT\n", argv[0]);
        return 2;
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "xmlrpc_c_server: bad address %s\n", argv[1]);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("xmlrpc_c_server: bind");
        return 1;
    }

    xmlrpc_env env;
    xmlrpc_env_init(&env);
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, 64 << 20);
    xmlrpc_registry *registry = xmlrpc_registry_new(&env);
    if (env.fault_occurred)
        die(&env, "registry");
    struct xmlrpc_method_info3 const add_info = {.methodName = "add", .methodFunction = &add};
    struct xmlrpc_method_info3 const echo_info = {.methodName = "echo",
                                                  .methodFunction = &echo};
    xmlrpc_registry_add_method3(&env, registry, &add_info);
    xmlrpc_registry_add_method3(&env, registry, &echo_info);
    if (env.fault_occurred)
        die(&env, "methods");

    xmlrpc_server_abyss_parms parms;
    memset(&parms, 0, sizeof parms);
    parms.config_file_name = NULL;
    parms.registryP = registry;
    parms.log_file_name = NULL;
    parms.keepalive_timeout = 60;
    parms.keepalive_max_conn = 1000000000;
    parms.timeout = 60;
    parms.dont_advertise = 1;
    parms.socket_bound = 1;
    parms.socket_handle = fd;
    parms.uri_path = "/RPC2";
    parms.chunk_response = 0;
    parms.max_conn = 64;
    parms.max_conn_backlog = 64;
    unsigned int major, minor, point;
    xmlrpc_version(&major, &minor, &point);
    fprintf(stderr, "xmlrpc-c %u.%u.%u Abyss listening on http://%s:%s/RPC2\n", major, minor,
            point, argv[1], argv[2]);
    xmlrpc_server_abyss(&env, &parms, XMLRPC_APSIZE(max_conn_backlog));
    if (env.fault_occurred)
        die(&env, "server");
    return 0;
}
