# Ruby's xmlrpc gem (XMLRPC::Client) against the interop test server.
# ruby_client.rb URL FAULT_STRING; prints the lines interop::judge_client_output reads.
require_relative 'ruby_common'
require 'xmlrpc/client'

url, fault_string = ARGV
$stdout.sync = true
client = XMLRPC::Client.new2(url, nil, 120)

def out(*fields)
  puts fields.map(&:to_s).join("\t")
end

def one_line(e)
  "#{e.class}: #{e.message}".tr("\t\r\n", '   ')[0, 300]
end

client.call('interop.cases').each do |name|
  begin
    value = client.call('interop.get', name)
  rescue StandardError => e
    out('CASE', name, "get-error: #{one_line(e)}")
    next
  end
  begin
    out('CASE', name, client.call('interop.check', name, value))
  rescue StandardError => e
    out('CASE', name, "send-error: #{one_line(e)}")
  end
end

begin
  client.call('interop.fault', 4242, fault_string)
  out('FAULT', 'error: no fault')
rescue XMLRPC::FaultException => f
  out('FAULT', f.faultCode, f.faultString)
end
begin
  client.call('no.such.method')
  out('NOMETHOD', 'error: no fault')
rescue XMLRPC::FaultException => f
  out('NOMETHOD', f.faultCode, f.faultString)
end

begin
  r = client.multicall(['interop.get', 'string_ascii'], ['interop.fault', 7, 'seven'], ['echo', 5])
  out('MULTI', r[0], r[1].faultCode, r[1].faultString, r[2])
rescue StandardError => e
  out('MULTI', "error: #{one_line(e)}")
end

begin
  out('METHODS', client.call('system.listMethods').sort.join(','))
  out('HELP', client.call('system.methodHelp', 'echo'))
  out('SIG', client.call('system.methodSignature', 'interop.fault')[0].join(','))
rescue StandardError => e
  out('METHODS', "error: #{one_line(e)}")
end
