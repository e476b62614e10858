<?php
// PHP's xmlrpc extension (php-xmlrpc: xmlrpc_encode_request / xmlrpc_decode) over PHP's
// HTTP stream, against the interop test server.
// php php_client.php URL FAULT_STRING; prints the lines interop::judge_client_output reads.
[, $url, $fault_string] = $argv;

function call(string $url, string $method, array $params) {
    $request = xmlrpc_encode_request($method, $params, ['encoding' => 'UTF-8', 'escaping' => 'markup']);
    $context = stream_context_create(['http' => [
        'method' => 'POST', 'header' => "Content-Type: text/xml\r\n", 'content' => $request,
        'ignore_errors' => true, 'timeout' => 120,
    ]]);
    $body = file_get_contents($url, false, $context);
    if ($body === false) {
        throw new Exception("no answer from $url");
    }
    $result = xmlrpc_decode($body, 'UTF-8');
    if ($result === null && strpos($body, '<nil/>') === false) {
        throw new Exception('cannot decode: ' . substr($body, 0, 200));
    }
    return $result;
}

function out(...$fields) { echo implode("\t", $fields), "\n"; }
function one_line($t) { return substr(preg_replace('/[\t\r\n]+/', ' ', $t), 0, 300); }
function is_fault($r) { return is_array($r) && xmlrpc_is_fault($r); }

foreach (call($url, 'interop.cases', []) as $name) {
    try {
        $value = call($url, 'interop.get', [$name]);
        if (is_fault($value)) {
            out('CASE', $name, 'get-error: fault ' . $value['faultCode'] . ': ' . one_line($value['faultString']));
            continue;
        }
    } catch (Throwable $e) {
        out('CASE', $name, 'get-error: ' . one_line($e->getMessage()));
        continue;
    }
    try {
        $answer = call($url, 'interop.check', [$name, $value]);
        out('CASE', $name, is_fault($answer) ? 'send-error: fault ' . $answer['faultCode'] . ': ' . one_line($answer['faultString']) : $answer);
    } catch (Throwable $e) {
        out('CASE', $name, 'send-error: ' . one_line($e->getMessage()));
    }
}

$r = call($url, 'interop.fault', [4242, $fault_string]);
out('FAULT', is_fault($r) ? $r['faultCode'] . "\t" . $r['faultString'] : 'error: no fault');
$r = call($url, 'no.such.method', []);
out('NOMETHOD', is_fault($r) ? $r['faultCode'] . "\t" . $r['faultString'] : 'error: no fault');

$r = call($url, 'system.multicall', [[
    ['methodName' => 'interop.get', 'params' => ['string_ascii']],
    ['methodName' => 'interop.fault', 'params' => [7, 'seven']],
    ['methodName' => 'echo', 'params' => [5]],
]]);
if (is_fault($r) || !is_array($r)) {
    out('MULTI', 'error: ' . one_line(print_r($r, true)));
} else {
    out('MULTI', $r[0][0], $r[1]['faultCode'], $r[1]['faultString'], $r[2][0]);
}

$methods = call($url, 'system.listMethods', []);
if (is_fault($methods)) {
    out('METHODS', 'error: ' . one_line($methods['faultString']));
} else {
    sort($methods);
    out('METHODS', implode(',', $methods));
}
$help = call($url, 'system.methodHelp', ['echo']);
out('HELP', is_fault($help) ? 'error: ' . one_line($help['faultString']) : $help);
$sig = call($url, 'system.methodSignature', ['interop.fault']);
out('SIG', is_fault($sig) ? 'error: ' . one_line($sig['faultString']) : implode(',', $sig[0]));
