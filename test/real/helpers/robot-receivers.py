#!/usr/bin/env python3
# The chat robots' receiving ends on loopback, checking each request as its vendor documents it
# (the vendors' own Python samples, written independently of the TypeScript sender):
#   python3 robot-receivers.py <dir>    prints {"port": N} once listening; one server, a path per robot:
#   POST /wecom/cgi-bin/webhook/send?key=K          WeCom group robot: {"msgtype":"text","text":{"content":…}},
#                                                    content at most 2048 bytes of UTF-8 → {"errcode":0,"errmsg":"ok"}
#   POST /dingtalk/robot/send?access_token=T&timestamp=MS&sign=S
#        DingTalk "加签": sign = urlEncode(base64(HmacSHA256(key=secret, msg=timestamp+"\n"+secret))),
#        the timestamp within an hour → {"errcode":0,…}; else 310000 "sign not match"
#   POST /feishu/open-apis/bot/v2/hook/H   Feishu "签名校验": {"timestamp":"S","sign":…,"msg_type":"text","content":{"text":…}},
#        sign = base64(HmacSHA256(key=timestamp+"\n"+secret, msg="")), within an hour → {"code":0,…}; else 19021
#   POST /webhook/…                        generic: X-Stack-Wizard-Signature: sha256=hex(HmacSHA256(secret, body)) when a secret is set
#   GET  /messages                         every accepted message as JSON, in order
# Secrets: <dir>/dingtalk.secret, <dir>/feishu.secret, <dir>/webhook.secret (first line; absent: unsigned robot).
# Keys and tokens expected: <dir>/wecom.key, <dir>/dingtalk.token, <dir>/feishu.hook.
# <dir>/fail.json (optional): {"wecom": 500} makes that robot answer an HTTP error (a channel down).
import base64, hashlib, hmac, json, os, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1]
BIND = sys.argv[2] if len(sys.argv) > 2 else '127.0.0.1'
messages = []
lock = threading.Lock()


def read(name):
    p = os.path.join(DIR, name)
    if not os.path.exists(p):
        return None
    with open(p, encoding='utf-8') as f:
        return f.readline().strip()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, code, doc):
        body = json.dumps(doc, ensure_ascii=False).encode('utf-8')
        self.send_response(code)
        self.send_header('Content-Type', 'application/json; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == '/messages':
            with lock:
                return self.answer(200, messages)
        self.answer(404, {'error': 'not found'})

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        raw = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        robot = u.path.split('/')[1]
        fail = json.loads(read('fail.json') or '{}') if os.path.exists(os.path.join(DIR, 'fail.json')) else {}
        if robot in fail:
            return self.answer(int(fail[robot]), {'error': 'robot down (test)'})
        if (self.headers.get('Content-Type') or '').split(';')[0].strip() != 'application/json':
            return self.answer(400, {'errcode': 40008, 'errmsg': 'content type is not application/json'})
        try:
            doc = json.loads(raw.decode('utf-8'))
        except Exception as e:
            return self.answer(400, {'errcode': 40001, 'errmsg': 'invalid json: %s' % e})
        now = time.time()
        if robot == 'wecom':
            if u.path != '/wecom/cgi-bin/webhook/send' or q.get('key', [''])[0] != read('wecom.key'):
                return self.answer(200, {'errcode': 93000, 'errmsg': 'invalid webhook url'})
            if doc.get('msgtype') != 'text' or not isinstance(doc.get('text'), dict) or not isinstance(doc['text'].get('content'), str):
                return self.answer(200, {'errcode': 40008, 'errmsg': 'invalid message type'})
            if len(doc['text']['content'].encode('utf-8')) > 2048:
                return self.answer(200, {'errcode': 40058, 'errmsg': 'content exceed max length 2048'})
            text = doc['text']['content']
        elif robot == 'dingtalk':
            if u.path != '/dingtalk/robot/send' or q.get('access_token', [''])[0] != read('dingtalk.token'):
                return self.answer(200, {'errcode': 300001, 'errmsg': 'token is not exist'})
            secret = read('dingtalk.secret')
            if secret is not None:
                timestamp = q.get('timestamp', [''])[0]
                sign = q.get('sign', [''])[0]
                # DingTalk's sample: hmac over "timestamp\nsecret" keyed by the secret, base64, then quote_plus;
                # the query arrives decoded, so the base64 form is compared.
                secret_enc = secret.encode('utf-8')
                string_to_sign_enc = '{}\n{}'.format(timestamp, secret).encode('utf-8')
                hmac_code = hmac.new(secret_enc, string_to_sign_enc, digestmod=hashlib.sha256).digest()
                expected = base64.b64encode(hmac_code).decode('ascii')
                if not timestamp.isdigit() or abs(now * 1000 - int(timestamp)) > 3600 * 1000:
                    return self.answer(200, {'errcode': 310000, 'errmsg': 'timestamp is not within one hour'})
                if not hmac.compare_digest(sign, expected):
                    return self.answer(200, {'errcode': 310000, 'errmsg': 'sign not match'})
            if doc.get('msgtype') != 'text' or not isinstance(doc.get('text', {}).get('content'), str):
                return self.answer(200, {'errcode': 40035, 'errmsg': 'invalid msgtype'})
            text = doc['text']['content']
        elif robot == 'feishu':
            hook = u.path[len('/feishu/open-apis/bot/v2/hook/'):] if u.path.startswith('/feishu/open-apis/bot/v2/hook/') else None
            if hook != read('feishu.hook'):
                return self.answer(404, {'code': 19001, 'msg': 'param invalid: incoming webhook access token invalid'})
            secret = read('feishu.secret')
            if secret is not None:
                timestamp = doc.get('timestamp', '')
                # Feishu's sample: the key is "timestamp\nsecret", the message empty.
                key_enc = '{}\n{}'.format(timestamp, secret).encode('utf-8')
                hmac_code = hmac.new(key_enc, ''.encode('utf-8'), digestmod=hashlib.sha256).digest()
                expected = base64.b64encode(hmac_code).decode('utf-8')
                if not str(timestamp).isdigit() or abs(now - int(timestamp)) > 3600 or not hmac.compare_digest(str(doc.get('sign', '')), expected):
                    return self.answer(200, {'code': 19021, 'msg': 'sign match fail or timestamp is not within one hour from current time', 'data': {}})
            if doc.get('msg_type') != 'text' or not isinstance(doc.get('content', {}).get('text'), str):
                return self.answer(200, {'code': 9499, 'msg': 'Bad Request', 'data': {}})
            text = doc['content']['text']
        elif robot == 'webhook':
            secret = read('webhook.secret')
            if secret is not None:
                expected = 'sha256=' + hmac.new(secret.encode('utf-8'), raw, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(self.headers.get('X-Stack-Wizard-Signature', ''), expected):
                    return self.answer(401, {'error': 'bad signature'})
            for k in ('event', 'state', 'host', 'project', 'title', 'text'):
                if not isinstance(doc.get(k), str):
                    return self.answer(400, {'error': 'missing %s' % k})
            text = doc['title'] + '\n' + doc['text']
        else:
            return self.answer(404, {'error': 'no robot ' + robot})
        with lock:
            messages.append({'robot': robot, 'text': text, 'doc': doc, 'at': now})
        if robot == 'feishu':
            return self.answer(200, {'code': 0, 'data': {}, 'msg': 'success'})
        if robot == 'webhook':
            return self.answer(200, {'received': True})
        return self.answer(200, {'errcode': 0, 'errmsg': 'ok'})


server = ThreadingHTTPServer((BIND, 0), Handler)
with open(os.path.join(DIR, 'port'), 'w') as f:
    f.write(str(server.server_address[1]))
print(json.dumps({'port': server.server_address[1]}), flush=True)
server.serve_forever()
