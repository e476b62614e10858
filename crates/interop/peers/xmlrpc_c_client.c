/* xmlrpc-c's client library (Debian's libxmlrpc-core-c3-dev) against the interop test
 * server: every case fetched with interop.get and sent back with interop.check, a fault,
 * a missing method, system.multicall and introspection. Prints the lines that
 * interop::judge_client_output reads. With --apache it writes i8 and nil the Apache way.
 * Usage: xmlrpc_c_client URL FAULT_STRING [--apache] */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/client.h>

static void error_line(const char *tag, const char *name, const char *what, xmlrpc_env *env) {
    printf("%s\t%s%s%s: %s (%d)\n", tag, name ? name : "", name ? "\t" : "", what,
           env->fault_string, env->fault_code);
}

/* libxmlrpc_client puts this before the fault string the server sent. */
static const char *server_said(const char *text) {
    static const char prefix[] = "RPC failed at server.  ";
    return strncmp(text, prefix, sizeof prefix - 1) == 0 ? text + sizeof prefix - 1 : text;
}

static int by_string(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s URL FAULT_STRING [--apache]\n", argv[0]);
        return 2;
    }
    const char *url = argv[1];
    const char *fault_string = argv[2];
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, 64 * 1024 * 1024);
    struct xmlrpc_clientparms parms;
    memset(&parms, 0, sizeof parms);
    parms.transport = "curl";
    parms.dialect = argc > 3 && strcmp(argv[3], "--apache") == 0 ? xmlrpc_dialect_apache
                                                                  : xmlrpc_dialect_i8;
    xmlrpc_client *client;
    xmlrpc_client_setup_global_const(&env);
    xmlrpc_client_create(&env, XMLRPC_CLIENT_NO_FLAGS, "interop", "1.0", &parms,
                         XMLRPC_CPSIZE(dialect), &client);
    if (env.fault_occurred) {
        fprintf(stderr, "client: %s\n", env.fault_string);
        return 1;
    }
    xmlrpc_server_info *server = xmlrpc_server_info_new(&env, url);

    xmlrpc_value *names;
    xmlrpc_client_call2f(&env, client, url, "interop.cases", &names, "()");
    if (env.fault_occurred) {
        fprintf(stderr, "interop.cases: %s\n", env.fault_string);
        return 1;
    }
    int count = xmlrpc_array_size(&env, names);
    for (int i = 0; i < count; i++) {
        xmlrpc_value *item, *value, *answer;
        const char *name, *text;
        xmlrpc_array_read_item(&env, names, i, &item);
        xmlrpc_read_string(&env, item, &name);
        xmlrpc_DECREF(item);
        xmlrpc_client_call2f(&env, client, url, "interop.get", &value, "(s)", name);
        if (env.fault_occurred) {
            error_line("CASE", name, "get-error", &env);
        } else {
            xmlrpc_value *params = xmlrpc_array_new(&env);
            xmlrpc_value *key = xmlrpc_string_new(&env, name);
            xmlrpc_array_append_item(&env, params, key);
            xmlrpc_array_append_item(&env, params, value);
            xmlrpc_client_call2(&env, client, server, "interop.check", params, &answer);
            if (env.fault_occurred) {
                error_line("CASE", name, "send-error", &env);
            } else {
                xmlrpc_read_string(&env, answer, &text);
                printf("CASE\t%s\t%s\n", name, env.fault_occurred ? "not a string" : text);
                if (!env.fault_occurred)
                    free((void *)text);
                xmlrpc_DECREF(answer);
            }
            xmlrpc_DECREF(key);
            xmlrpc_DECREF(params);
            xmlrpc_DECREF(value);
        }
        xmlrpc_env_clean(&env);
        xmlrpc_env_init(&env);
        free((void *)name);
    }
    xmlrpc_DECREF(names);

    xmlrpc_value *result = NULL;
    xmlrpc_client_call2f(&env, client, url, "interop.fault", &result, "(is)",
                         (xmlrpc_int32)4242, fault_string);
    if (env.fault_occurred)
        printf("FAULT\t%d\t%s\n", env.fault_code, server_said(env.fault_string));
    else
        printf("FAULT\terror: no fault\n");
    xmlrpc_env_clean(&env);
    xmlrpc_env_init(&env);
    xmlrpc_client_call2f(&env, client, url, "no.such.method", &result, "()");
    if (env.fault_occurred)
        printf("NOMETHOD\t%d\t%s\n", env.fault_code, server_said(env.fault_string));
    else
        printf("NOMETHOD\terror: no fault\n");
    xmlrpc_env_clean(&env);
    xmlrpc_env_init(&env);

    xmlrpc_client_call2f(&env, client, url, "system.multicall", &result,
                         "(({s:s,s:(s)}{s:s,s:(is)}{s:s,s:(i)}))", "methodName", "interop.get",
                         "params", "string_ascii", "methodName", "interop.fault", "params",
                         (xmlrpc_int32)7, "seven", "methodName", "echo", "params",
                         (xmlrpc_int32)5);
    if (env.fault_occurred) {
        error_line("MULTI", NULL, "error", &env);
    } else {
        const char *first, *string;
        xmlrpc_int32 code, five;
        xmlrpc_decompose_value(&env, result, "((s){s:i,s:s,*}(i))", &first, "faultCode", &code,
                               "faultString", &string, &five);
        if (env.fault_occurred)
            error_line("MULTI", NULL, "error", &env);
        else
            printf("MULTI\t%s\t%d\t%s\t%d\n", first, code, string, five);
        xmlrpc_DECREF(result);
    }
    xmlrpc_env_clean(&env);
    xmlrpc_env_init(&env);

    xmlrpc_client_call2f(&env, client, url, "system.listMethods", &result, "()");
    if (env.fault_occurred) {
        error_line("METHODS", NULL, "error", &env);
    } else {
        int n = xmlrpc_array_size(&env, result);
        const char **list = calloc(n > 0 ? n : 1, sizeof *list);
        for (int i = 0; i < n; i++) {
            xmlrpc_value *item;
            xmlrpc_array_read_item(&env, result, i, &item);
            xmlrpc_read_string(&env, item, &list[i]);
            xmlrpc_DECREF(item);
        }
        qsort(list, n, sizeof *list, by_string);
        printf("METHODS\t");
        for (int i = 0; i < n; i++)
            printf("%s%s", i ? "," : "", list[i]);
        printf("\n");
        xmlrpc_DECREF(result);
    }
    xmlrpc_env_clean(&env);
    xmlrpc_env_init(&env);
    const char *help;
    xmlrpc_client_call2f(&env, client, url, "system.methodHelp", &result, "(s)", "echo");
    if (!env.fault_occurred) {
        xmlrpc_read_string(&env, result, &help);
        if (!env.fault_occurred)
            printf("HELP\t%s\n", help);
    }
    if (env.fault_occurred)
        error_line("HELP", NULL, "error", &env);
    xmlrpc_env_clean(&env);
    xmlrpc_env_init(&env);
    xmlrpc_client_call2f(&env, client, url, "system.methodSignature", &result, "(s)",
                         "interop.fault");
    if (!env.fault_occurred) {
        xmlrpc_value *first;
        xmlrpc_array_read_item(&env, result, 0, &first);
        int n = env.fault_occurred ? 0 : xmlrpc_array_size(&env, first);
        printf("SIG\t");
        for (int i = 0; i < n && !env.fault_occurred; i++) {
            xmlrpc_value *item;
            const char *type;
            xmlrpc_array_read_item(&env, first, i, &item);
            xmlrpc_read_string(&env, item, &type);
            printf("%s%s", i ? "," : "", type);
            xmlrpc_DECREF(item);
        }
        printf("\n");
    } else {
        error_line("SIG", NULL, "error", &env);
    }
    return 0;
}
