# Perl's XMLRPC::Lite (libxmlrpc-lite-perl) against the interop test server.
# perl_client.pl URL FAULT_STRING; prints the lines interop::judge_client_output reads.
use strict;
use warnings;
use XMLRPC::Lite;
use Encode qw(decode);

my ($url, $fault_string) = @ARGV;
$fault_string = decode('UTF-8', $fault_string);
binmode STDOUT, ':encoding(UTF-8)';
$| = 1;
my $p = XMLRPC::Lite->proxy($url, timeout => 120);

sub out { print join("\t", @_), "\n" }
sub one_line { my $t = shift // 'unknown error'; $t =~ s/[\t\r\n]+/ /g; substr($t, 0, 300) }

# Calls a method; returns (result) or dies with the fault or the transport error.
sub call {
    my ($method, @params) = @_;
    my $r = $p->call($method, @params);
    die "fault " . $r->faultcode . ": " . $r->faultstring . "\n" if $r->fault;
    return $r->result;
}

for my $name (@{ call('interop.cases') }) {
    my $value = eval { call('interop.get', $name) };
    if ($@) { out('CASE', $name, 'get-error: ' . one_line($@)); next }
    my $answer = eval { call('interop.check', $name, $value) };
    out('CASE', $name, $@ ? 'send-error: ' . one_line($@) : $answer);
}

# An untyped non-ASCII scalar would be guessed to be base64: say it is a string.
my $r = $p->call('interop.fault', 4242, SOAP::Data->type(string => $fault_string));
out('FAULT', $r->fault ? ($r->faultcode, $r->faultstring) : 'error: no fault');
$r = $p->call('no.such.method');
out('NOMETHOD', $r->fault ? ($r->faultcode, $r->faultstring) : 'error: no fault');

# XMLRPC::Lite has no multicall helper: system.multicall called by hand.
my $multi = eval {
    call('system.multicall', [
        { methodName => 'interop.get',   params => ['string_ascii'] },
        { methodName => 'interop.fault', params => [7, 'seven'] },
        { methodName => 'echo',          params => [5] },
    ]);
};
if ($@) { out('MULTI', 'error: ' . one_line($@)) }
else {
    out('MULTI', $multi->[0][0], $multi->[1]{faultCode}, $multi->[1]{faultString}, $multi->[2][0]);
}

my $methods = eval { call('system.listMethods') };
if ($@) { out('METHODS', 'error: ' . one_line($@)) }
else { out('METHODS', join(',', sort @$methods)) }
my $help = eval { call('system.methodHelp', 'echo') };
out('HELP', $@ ? 'error: ' . one_line($@) : $help);
my $sig = eval { call('system.methodSignature', 'interop.fault') };
out('SIG', $@ ? 'error: ' . one_line($@) : join(',', @{ $sig->[0] }));
