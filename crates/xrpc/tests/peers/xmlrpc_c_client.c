/* A client built on xmlrpc-c (Debian's libxmlrpc-core-c3-dev), used by the interop tests to
 * call `xrpc serve`: add, get_string, echo of a struct, a fault, introspection and
 * multicall. Prints one line per result; exits non-zero on an unexpected failure.
 * Usage: xmlrpc_c_client URL */

#include <stdio.h>
#include <stdlib.h>
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/client.h>

static void die_if_fault(xmlrpc_env *env, const char *what) {
    if (env->fault_occurred) {
        fprintf(stderr, "%s: %s (%d)\n", what, env->fault_string, env->fault_code);
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s URL\n", argv[0]);
        return 2;
    }
    const char *url = argv[1];
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    xmlrpc_client_init2(&env, XMLRPC_CLIENT_NO_FLAGS, "xrpc-interop", "1.0", NULL, 0);
    die_if_fault(&env, "init");

    xmlrpc_int32 sum;
    xmlrpc_value *result = xmlrpc_client_call(&env, url, "add", "(ii)", (xmlrpc_int32)8, (xmlrpc_int32)8);
    die_if_fault(&env, "add");
    xmlrpc_read_int(&env, result, &sum);
    die_if_fault(&env, "add result");
    printf("add %d\n", sum);
    xmlrpc_DECREF(result);

    const char *text;
    result = xmlrpc_client_call(&env, url, "get_string", "(s)", "cloudox");
    die_if_fault(&env, "get_string");
    xmlrpc_read_string(&env, result, &text);
    die_if_fault(&env, "get_string result");
    printf("get_string %s\n", text);
    free((void *)text);
    xmlrpc_DECREF(result);

    xmlrpc_int32 a;
    const char *b;
    double d;
    result = xmlrpc_client_call(&env, url, "echo", "({s:i,s:s,s:d})", "a", (xmlrpc_int32)-7, "b", "x<&>y", "d", 0.25);
    die_if_fault(&env, "echo");
    xmlrpc_decompose_value(&env, result, "{s:i,s:s,s:d,*}", "a", &a, "b", &b, "d", &d);
    die_if_fault(&env, "echo result");
    printf("echo %d %s %g\n", a, b, d);
    free((void *)b);
    xmlrpc_DECREF(result);

    result = xmlrpc_client_call(&env, url, "no.such.method", "()");
    printf("fault %d\n", env.fault_occurred ? env.fault_code : 0);
    xmlrpc_env_clean(&env);
    xmlrpc_env_init(&env);

    result = xmlrpc_client_call(&env, url, "system.listMethods", "()");
    die_if_fault(&env, "system.listMethods");
    printf("methods %d\n", xmlrpc_array_size(&env, result));
    xmlrpc_DECREF(result);

    result = xmlrpc_client_call(&env, url, "system.multicall", "(({s:s,s:(ii)}{s:s,s:(s)}))",
                                "methodName", "add", "params", (xmlrpc_int32)1, (xmlrpc_int32)2,
                                "methodName", "get_string", "params", "m");
    die_if_fault(&env, "system.multicall");
    xmlrpc_int32 first;
    const char *second;
    xmlrpc_decompose_value(&env, result, "((i)(s))", &first, &second);
    die_if_fault(&env, "system.multicall result");
    printf("multicall %d %s\n", first, second);
    free((void *)second);
    xmlrpc_DECREF(result);

    xmlrpc_env_clean(&env);
    xmlrpc_client_cleanup();
    return 0;
}
