# Perl's XMLRPC::Lite server (XMLRPC::Transport::HTTP::Daemon) with echo and fault.
# XMLRPC::Lite has no introspection or multicall. Prints "PORT <n>" once it listens.
use strict;
use warnings;
use XMLRPC::Transport::HTTP;

sub echo { shift; return $_[0] }
sub fault { shift; my ($code, $string) = @_; die SOAP::Fault->faultcode($code)->faultstring($string) }

my $daemon = XMLRPC::Transport::HTTP::Daemon->new(LocalAddr => '127.0.0.1', LocalPort => 0, ReuseAddr => 1)
    ->dispatch_to('echo', 'fault');
my ($port) = $daemon->url =~ /:(\d+)/;
$| = 1;
print "PORT $port\n";
# A request can kill the daemon (non-ASCII text in a fault dies in MIME::Base64, see the
# test's limits): keep serving the next one.
while (1) { eval { $daemon->handle } }
