# Turns on nil (<nil/>) in Ruby's xmlrpc gem, which is off by default, for both the
# client and the server scripts.
require 'xmlrpc/client'
module XMLRPC
  module Config
    remove_const(:ENABLE_NIL_CREATE)
    ENABLE_NIL_CREATE = true
    remove_const(:ENABLE_NIL_PARSER)
    ENABLE_NIL_PARSER = true
  end
end
