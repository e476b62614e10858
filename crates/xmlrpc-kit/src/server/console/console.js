// The documentation page's console: each form POSTs its method's call to this page's own
// URL and shows the answer. Text reaches the page only through textContent, never as markup.
(function () {
  'use strict';
  var I32 = 2147483647;
  function esc(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
  }
  function bytesToBase64(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function intXml(text, tag) {
    var t = String(text).trim();
    if (!/^[+-]?\d+$/.test(t)) throw new Error('not an integer: ' + t);
    var n = Number(t);
    if (!tag) tag = Math.abs(n) > I32 || n < -I32 - 1 ? 'i8' : 'int';
    if (tag === 'int' && (n > I32 || n < -I32 - 1)) throw new Error(t + ' does not fit an int (32 bits): use i8');
    return '<' + tag + '>' + t.replace(/^\+/, '') + '</' + tag + '>';
  }
  function doubleXml(n) {
    if (!isFinite(n)) throw new Error('XML-RPC has no NaN or infinity');
    var s = String(n);
    return '<double>' + (/[.e]/.test(s) ? s : s + '.0') + '</double>';
  }
  // The JSON form `xrpc decode` prints: tags {"base64": ...}, {"dateTime": ...}, {"double": ...}, {"struct": ...}.
  function jsonXml(v) {
    if (v === null) return '<nil/>';
    if (typeof v === 'boolean') return '<boolean>' + (v ? 1 : 0) + '</boolean>';
    if (typeof v === 'number') return Number.isInteger(v) ? intXml(String(v)) : doubleXml(v);
    if (typeof v === 'string') return '<string>' + esc(v) + '</string>';
    if (Array.isArray(v)) return '<array><data>' + v.map(function (x) { return '<value>' + jsonXml(x) + '</value>'; }).join('') + '</data></array>';
    var keys = Object.keys(v);
    if (keys.length === 1) {
      var k = keys[0], x = v[k];
      if (k === 'base64' && typeof x === 'string') return '<base64>' + esc(x) + '</base64>';
      if (k === 'dateTime' && typeof x === 'string') return '<dateTime.iso8601>' + esc(x) + '</dateTime.iso8601>';
      if (k === 'double' && typeof x === 'string') throw new Error('XML-RPC has no ' + x);
      if (k === 'struct' && x && typeof x === 'object' && !Array.isArray(x)) v = x;
    }
    return '<struct>' + Object.keys(v).map(function (name) {
      return '<member><name>' + esc(name) + '</name><value>' + jsonXml(v[name]) + '</value></member>';
    }).join('') + '</struct>';
  }
  function typedXml(type, field) {
    var text = field.value;
    switch (type) {
      case 'int': case 'i4': case 'i1': case 'i2': return intXml(text, 'int');
      case 'i8': return intXml(text, 'i8');
      case 'double':
        if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text)) throw new Error('not a number: ' + text);
        return doubleXml(Number(text));
      case 'boolean': case 'bool': return '<boolean>' + (text === 'true' ? 1 : 0) + '</boolean>';
      case 'string': return '<string>' + esc(text) + '</string>';
      case 'dateTime.iso8601': case 'dateTime': return '<dateTime.iso8601>' + esc(text.trim()) + '</dateTime.iso8601>';
      case 'base64': return '<base64>' + bytesToBase64(new TextEncoder().encode(text)) + '</base64>';
      case 'nil': return '<nil/>';
      default: return jsonXml(JSON.parse(text));
    }
  }
  function callXml(form) {
    var json = form.querySelector('.json');
    var params;
    if (json.open || !form.querySelector('.param')) {
      var list = JSON.parse(json.querySelector('textarea').value || '[]');
      if (!Array.isArray(list)) throw new Error('the parameters are a JSON array');
      params = list.map(jsonXml);
    } else {
      params = Array.prototype.map.call(form.querySelectorAll('.param'), function (f) { return typedXml(f.dataset.type, f); });
    }
    return '<?xml version="1.0"?>\n<methodCall><methodName>' + esc(form.dataset.method) + '</methodName><params>' +
      params.map(function (p) { return '<param><value>' + p + '</value></param>'; }).join('') + '</params></methodCall>';
  }
  // A <value> as a tree node.
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function child(node, name) {
    for (var c = node.firstElementChild; c; c = c.nextElementSibling) if (c.localName === name) return c;
    return null;
  }
  function children(node, name) {
    var out = [];
    for (var c = node.firstElementChild; c; c = c.nextElementSibling) if (c.localName === name) out.push(c);
    return out;
  }
  function tree(value, label, method) {
    var li = el('li');
    if (label !== null) li.append(el('span', 'k', label), ' ');
    var typed = value.firstElementChild;
    var type = typed ? typed.localName : 'string';
    li.append(el('span', 't', type), ' ');
    if (type === 'struct' || type === 'array') {
      var ul = el('ul');
      if (type === 'struct') children(typed, 'member').forEach(function (m) {
        ul.appendChild(tree(child(m, 'value'), child(m, 'name').textContent, method));
      });
      else children(child(typed, 'data'), 'value').forEach(function (v, i) { ul.appendChild(tree(v, '[' + i + ']', method)); });
      li.appendChild(ul);
    } else if (type === 'nil') {
      li.appendChild(el('span', 'v', 'nil'));
    } else {
      var text = typed ? typed.textContent : value.textContent;
      if (type === 'boolean') text = text.trim() === '1' ? 'true' : 'false';
      if (type === 'base64') {
        var raw = atob(text.replace(/\s+/g, '')), bytes = new Uint8Array(raw.length);
        for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
        li.appendChild(el('span', 'v', bytes.length + ' bytes '));
        var a = el('a', 'download', 'download');
        a.href = URL.createObjectURL(new Blob([bytes]));
        a.download = method + '.bin';
        li.appendChild(a);
      } else {
        li.appendChild(el('span', 'v', text));
      }
    }
    return li;
  }
  function show(form, state, build) {
    var out = form.querySelector('.result');
    out.textContent = '';
    out.hidden = false;
    out.dataset.state = state;
    build(out);
  }
  function answer(form, status, text) {
    var doc = new DOMParser().parseFromString(text, 'application/xml');
    var root = doc.documentElement;
    if (status !== 200 || doc.getElementsByTagName('parsererror').length || root.localName !== 'methodResponse') {
      return show(form, 'error', function (out) { out.appendChild(el('p', 'error', 'HTTP ' + status + ': ' + text)); });
    }
    var fault = child(root, 'fault');
    if (fault) {
      var members = {};
      var s = child(child(fault, 'value') || fault, 'struct');
      if (s) children(s, 'member').forEach(function (m) { members[child(m, 'name').textContent] = child(m, 'value').textContent.trim(); });
      return show(form, 'fault', function (out) {
        out.appendChild(el('p', 'fault', 'Fault ' + (members.faultCode || '?') + ': ' + (members.faultString || '')));
      });
    }
    var params = child(root, 'params'), param = params && child(params, 'param');
    var value = param && child(param, 'value');
    show(form, 'ok', function (out) {
      var ul = el('ul', 'tree');
      if (value) ul.appendChild(tree(value, null, form.dataset.method));
      out.appendChild(ul);
    });
  }
  function call(form, event) {
    event.preventDefault();
    var raw = form.querySelector('.raw');
    var body;
    try { body = callXml(form); } catch (e) {
      return show(form, 'error', function (out) { out.appendChild(el('p', 'error', 'Cannot send: ' + e.message)); });
    }
    raw.querySelector('.request').textContent = body;
    raw.querySelector('.response').textContent = '';
    var button = form.querySelector('button'), started = performance.now();
    button.disabled = true;
    fetch(location.pathname + location.search, {
      method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: body, credentials: 'same-origin'
    }).then(function (r) {
      return r.text().then(function (text) {
        raw.querySelector('.response').textContent = text;
        form.querySelector('.took').textContent = Math.round(performance.now() - started) + ' ms, ' + text.length + ' bytes';
        answer(form, r.status, text);
      });
    }).catch(function (e) {
      show(form, 'error', function (out) { out.appendChild(el('p', 'error', 'The call failed: ' + e.message)); });
    }).then(function () { button.disabled = false; });
  }
  Array.prototype.forEach.call(document.querySelectorAll('form.try'), function (form) {
    form.addEventListener('submit', function (e) { call(form, e); });
  });
})();
