<?php
// PHP's xmlrpc extension as a server (xmlrpc_server_create / xmlrpc_server_call_method),
// run by PHP's built-in web server: echo and fault; the extension adds introspection
// and system.multicall.
$server = xmlrpc_server_create();
xmlrpc_server_register_method($server, 'echo', function ($method, $params) {
    return $params[0];
});
xmlrpc_server_register_method($server, 'fault', function ($method, $params) {
    return ['faultCode' => $params[0], 'faultString' => $params[1]];
});
xmlrpc_server_add_introspection_data($server, ['methodList' => [
    ['name' => 'echo', 'purpose' => 'Returns its argument.',
     'signatures' => [['returns' => [['type' => 'struct']], 'params' => [['type' => 'struct', 'name' => 'value']]]]],
    ['name' => 'fault', 'purpose' => 'Answers with the fault it is given.'],
]]);
header('Content-Type: text/xml; charset=utf-8');
echo xmlrpc_server_call_method($server, file_get_contents('php://input'), null,
    ['encoding' => 'UTF-8', 'escaping' => 'markup']);
