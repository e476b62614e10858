# Ruby's xmlrpc gem (XMLRPC::WEBrickServlet on WEBrick) with echo and fault, introspection
# and multicall. Prints "PORT <n>" once it listens.
require_relative 'ruby_common'
require 'xmlrpc/server'
require 'webrick'

servlet = XMLRPC::WEBrickServlet.new
servlet.add_handler('echo', ['struct', 'struct'], 'Returns its argument.') { |value| value }
servlet.add_handler('fault', ['struct', 'int', 'string'], 'Answers with the fault it is given.') do |code, string|
  raise XMLRPC::FaultException.new(code, string)
end
servlet.add_introspection
servlet.add_multicall
http = WEBrick::HTTPServer.new(Port: 0, BindAddress: '127.0.0.1',
                               Logger: WEBrick::Log.new(nil, 0), AccessLog: [],
                               MaxClients: 100, RequestTimeout: 60)
http.mount('/RPC2', servlet)
puts "PORT #{http.config[:Port]}"
$stdout.flush
trap('TERM') { http.shutdown }
http.start
