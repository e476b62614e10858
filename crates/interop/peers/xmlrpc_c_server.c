/* xmlrpc-c's Abyss server (Debian's libxmlrpc-core-c3-dev) with echo and fault; xmlrpc-c
 * adds introspection and system.multicall itself. Binds a free port on 127.0.0.1 and
 * prints "PORT <n>". With --apache it writes i8 and nil the Apache way (<ex:i8>, <ex:nil/>).
 * Usage: xmlrpc_c_server [--apache] */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/server.h>
#include <xmlrpc-c/server_abyss.h>

static xmlrpc_value *echo(xmlrpc_env *env, xmlrpc_value *params, void *server, void *channel) {
    (void)server;
    (void)channel;
    xmlrpc_value *value;
    if (xmlrpc_array_size(env, params) != 1) {
        xmlrpc_env_set_fault(env, -32602, "echo takes one parameter");
        return NULL;
    }
    xmlrpc_array_read_item(env, params, 0, &value);
    return env->fault_occurred ? NULL : value;
}

static xmlrpc_value *fault(xmlrpc_env *env, xmlrpc_value *params, void *server, void *channel) {
    (void)server;
    (void)channel;
    xmlrpc_int32 code;
    const char *text;
    xmlrpc_decompose_value(env, params, "(is)", &code, &text);
    if (!env->fault_occurred) {
        xmlrpc_env_set_fault(env, code, text);
        free((void *)text);
    }
    return NULL;
}

int main(int argc, char **argv) {
    int apache = argc > 1 && strcmp(argv[1], "--apache") == 0;
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, 64 * 1024 * 1024);
    xmlrpc_registry *registry = xmlrpc_registry_new(&env);
    struct xmlrpc_method_info3 echo_info = {
        .methodName = "echo", .methodFunction = echo, .help = "Returns its argument."};
    struct xmlrpc_method_info3 fault_info = {
        .methodName = "fault", .methodFunction = fault, .signatureString = "S:is",
        .help = "Answers with the fault it is given."};
    xmlrpc_registry_add_method3(&env, registry, &echo_info);
    xmlrpc_registry_add_method3(&env, registry, &fault_info);
    if (apache)
        xmlrpc_registry_set_dialect(&env, registry, xmlrpc_dialect_apache);
    if (env.fault_occurred) {
        fprintf(stderr, "registry: %s\n", env.fault_string);
        return 1;
    }

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("socket");
        return 1;
    }
    printf("PORT %d\n", ntohs(addr.sin_port));
    fflush(stdout);

    xmlrpc_server_abyss_parms parms;
    memset(&parms, 0, sizeof parms);
    parms.config_file_name = NULL;
    parms.registryP = registry;
    parms.log_file_name = NULL;
    parms.keepalive_timeout = 5;
    parms.keepalive_max_conn = 1000;
    parms.timeout = 60;
    parms.socket_bound = 1;
    parms.socket_handle = fd;
    parms.uri_path = "/RPC2";
    xmlrpc_server_abyss(&env, &parms, XMLRPC_APSIZE(uri_path));
    if (env.fault_occurred) {
        fprintf(stderr, "abyss: %s\n", env.fault_string);
        return 1;
    }
    return 0;
}
