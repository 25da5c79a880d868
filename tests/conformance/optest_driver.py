#!/usr/bin/env python3
"""Runs the OpenID Foundation's OP test tool (PyPI `oidctest`, with `otest` and `oic`)
against one OpenID Provider, headlessly.

The tool is a CherryPy web app meant to be driven by a person in a browser. This driver
starts that app in-process on 127.0.0.1 (a port the OS picks) and plays the browser itself
with a `requests` session:
  * it opens the tool's page for a test, follows the redirects to the provider;
  * it fills in the demo login form (user/password) and accepts the consent form;
  * it does what the tool's pages would do with JavaScript: re-posts a response fragment,
    submits auto-submitting form_post forms and follows the "continue" link of a note.
Each test gets a fresh browser (cookie jar), like a tester who clears cookies between tests.
The verdict of each test is read from the tool's own state, never guessed by this driver.

Usage: optest_driver.py --issuer URL --flows DIR --work DIR --profile P --client-id ID
         --client-secret S [--user U --password P] [--tests ID,ID] --out results.tsv
Output: a TSV file `test_id<TAB>result<TAB>reason`, one line per test.
"""
import argparse
import glob
import json
import os
import re
import socket
import sys
import threading
import time
import types
import warnings
from html.parser import HTMLParser
from urllib.parse import quote_plus, urljoin, urlsplit

# Our own minimal page templates for the tool (it formats them with str.format). Only the
# parts this driver reads matter: the fragment re-post form and the note's continue link.
TEMPLATES = {
    'flow_list.html': '<html><body><p>profile {display_profile}</p>{op_choice}{legends}'
                      '<p>{version}</p></body></html>',
    'note.html': '<html><body><h2>{title}</h2><p id="note">{note}</p><p id="next">{next}</p>'
                 '<p>{back}</p></body></html>',
    'message.html': '<html><body><h2>{title}</h2><p id="note">{note}</p></body></html>',
    'opresult_repost.html': '<html><body><form id="repost" action="authz_post" method="post">'
                            '<input type="hidden" name="fragment" value=""></form></body></html>',
    'sorry.html': '<html><body>{error}{back}</body></html>',
    'testinfo.html': '<html><body>{profile}{events}{result}</body></html>',
    'profile.html': '<html><body>{profile}</body></html>',
    'logs.html': '<html><body>{display_path}{items}</body></html>',
    'session_iframe.html': '<html><body></body></html>',
    'rp_session_iframe.html': '<html><body></body></html>',
}


class Forms(HTMLParser):
    """Collects the forms of a page: action, method, fields (checked boxes only), buttons."""

    def __init__(self):
        super().__init__()
        self.forms, self.links = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'form':
            self.forms.append({'action': a.get('action', ''), 'method': (a.get('method') or 'get').lower(),
                               'fields': [], 'buttons': []})
        elif tag == 'a' and a.get('href'):
            self.links.append(a['href'])
        elif self.forms and tag in ('input', 'button', 'textarea'):
            kind = (a.get('type') or ('submit' if tag == 'button' else 'text')).lower()
            name = a.get('name')
            if not name:
                return
            if kind == 'submit':
                self.forms[-1]['buttons'].append((name, a.get('value', '')))
            elif kind in ('checkbox', 'radio') and 'checked' not in a:
                self.forms[-1]['fields'].append((name, None))  # present, unchecked
            else:
                self.forms[-1]['fields'].append((name, a.get('value', '')))


def parse(html):
    p = Forms()
    p.feed(html)
    return p


class Browser:
    """Plays the person at the browser for one test."""

    def __init__(self, requests, tool_base, user, password, log):
        self.s = requests.Session()
        self.tool = tool_base
        self.user, self.password = user, password
        self.log = log
        self.last = ('', 0, '')

    def run(self, test_id, deadline):
        method, url, data = 'GET', self.tool + test_id, None
        for _ in range(60):
            if time.time() > deadline:
                return 'timed out in the browser at ' + url
            r = self.s.request(method, url, data=data, allow_redirects=False, timeout=60,
                               verify=False)  # the provider's certificate is made for the run
            self.log.write('{} {} -> {}\n'.format(method, url, r.status_code))
            self.last = (url, r.status_code, r.text[:2000])
            method, data = 'GET', None
            if r.status_code in (301, 302, 303, 307):
                nxt = urljoin(url, r.headers['Location'])
                if nxt.startswith(self.tool + 'display'):
                    return None  # the tool shows its result list: the test is over
                frag = urlsplit(nxt).fragment
                if nxt.startswith(self.tool) and frag and not nxt.startswith(self.tool + 'display'):
                    # A browser keeps the fragment to itself; the tool's page (served for the
                    # URL without it) reposts it to authz_post with JavaScript. Do the same.
                    page = self.s.get(nxt.split('#')[0], timeout=60, verify=False)
                    self.log.write('GET {} (fragment kept) -> {}\n'.format(nxt.split('#')[0], page.status_code))
                    if 'id="repost"' in page.text:
                        method, url, data = 'POST', self.tool + 'authz_post', {'fragment': frag}
                        continue
                    return 'unexpected page for a fragment response'
                if r.status_code == 307 and method == 'POST':
                    method = 'POST'
                url = nxt
                continue
            if r.status_code >= 400:
                # An error page of the provider or of the tool ends the browser's part; the
                # tool has recorded what it expected.
                return None
            body = r.text
            if 'id="repost"' in body:
                # The fragment response landed without a fragment (e.g. an error in the query).
                method, url, data = 'POST', self.tool + 'authz_post', {'fragment': ''}
                continue
            page = parse(body)
            if url.startswith(self.tool):
                nxt = next((l for l in page.links if '/continue?' in l), None)
                if nxt:  # a note of the tool: read it, then continue
                    self.on_note(test_id, body)
                    url = urljoin(url, nxt.replace('&amp;', '&'))
                    continue
                return None  # a result or error page of the tool
            if page.forms:
                method, url, data = self.submit(url, page.forms[0])
                continue
            return None
        return 'too many browser steps'

    def submit(self, url, form):
        names = {n for n, _ in form['fields']}
        fields = [(n, v) for n, v in form['fields'] if v is not None]
        if 'username' in names and 'password' in names:  # the demo login form
            fields = [(n, v) for n, v in fields if n not in ('username', 'password')]
            fields += [('username', self.user), ('password', self.password), ('remember', '1')]
            fields.append(('action', 'accept'))
        elif 'grant_scope' in names:  # the demo consent form: grant everything asked for
            fields = [(n, v) for n, v in form['fields'] if n != 'remember' and v is not None]
            fields += [('remember', '1'), ('action', 'allow')]
        elif form['buttons']:
            fields.append(form['buttons'][0])
        return form['method'].upper(), urljoin(url, form['action']), fields

    def on_note(self, test_id, body):
        # A person reads the note for a moment: the second login of a test then gets another
        # auth_time (whole seconds) and max_age=1 has surely expired (see docs/conformance.md).
        time.sleep(2.1)
        # Notes that ask the tester to drop the provider's session before continuing.
        text = body.lower()
        if 'cookie' in text or 'log out' in text or 'logout' in text:
            tool_host = urlsplit(self.tool).netloc
            for c in list(self.s.cookies):
                if c.domain and tool_host.startswith(c.domain):
                    continue
                self.s.cookies.clear(c.domain, c.path, c.name)


def verdict_of(tid, tinfo, problem):
    """The tool's verdict on a test, and the tool's own words for what went wrong."""
    from otest.check import STATUSCODE
    if tinfo is None or tinfo.get('events') is None:
        return 'FAILED', problem or 'the tool recorded no result'
    state = tinfo['state']
    name = STATUSCODE[state] if 0 <= state < len(STATUSCODE) else str(state)
    verdict = {'OK': 'PASSED', 'INFORMATION': 'PASSED', 'WARNING': 'WARNING',
               'NOT_APPLICABLE': 'SKIPPED'}.get(name, 'FAILED')
    # The log the tool writes for each test ends with 'RESULT: X' and its errors/warnings.
    msgs = []
    for path in glob.glob('log/*/default/*/{}.txt'.format(glob.escape(tid))):
        with open(path) as f:
            text = f.read()
        tail = text.rsplit('RESULT:', 1)[-1].splitlines()[1:] if 'RESULT:' in text else []
        msgs = [l.strip() for l in tail if l.strip() and l.strip() not in ('Errors:', 'Warnings:')]
    if name == 'INCOMPLETE':
        msgs.append('incomplete' + (' (browser: {})'.format(problem) if problem else ''))
    elif verdict == 'FAILED' and not msgs:
        msgs.append(name + (' (browser: {})'.format(problem) if problem else ''))
    return verdict, '; '.join(msgs)


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--issuer', required=True)
    ap.add_argument('--flows', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--profile', required=True, help='e.g. C.F.T.F.ns (see otest.prof_util)')
    ap.add_argument('--client-id', required=True)
    ap.add_argument('--client-secret', required=True)
    ap.add_argument('--auth-method', default='client_secret_basic')
    ap.add_argument('--user', default='alice')
    ap.add_argument('--password', default='alice-password')
    ap.add_argument('--tests', default='', help='comma list; default: every test of the profile')
    ap.add_argument('--list', action='store_true', help='print the tests of the profile and exit')
    ap.add_argument('--port', type=int, default=0, help='port of the tool (default: a free one)')
    ap.add_argument('--test-timeout', type=int, default=90)
    ap.add_argument('--out', required=True)
    args = ap.parse_args()

    warnings.simplefilter('ignore')  # old libraries, self-signed certificate: noise only
    flows = os.path.abspath(args.flows)
    out = os.path.abspath(args.out)
    os.makedirs(args.work, exist_ok=True)
    os.chdir(args.work)
    sys.path.insert(0, '.')
    port = args.port or free_port()
    base = 'http://127.0.0.1:{}/'.format(port)

    # The tool's data directories: templates, client defaults, the instance configuration.
    for d in ('html', 'entity_info', 'jwks', 'keys', 'log', 'server_log'):
        os.makedirs(d, exist_ok=True)
    for name, text in TEMPLATES.items():
        with open(os.path.join('html', name), 'w') as f:
            f.write(text)
    with open('entity_info/common.json', 'w') as f:
        json.dump({'client': {'behaviour': {'scope': ['openid', 'profile', 'email', 'address', 'phone']},
                              'client_prefs': {}}}, f)
    with open('entity_info/registration_info.json', 'w') as f:
        json.dump({'registration_info': {'redirect_uris': ['{}authz_cb']}}, f)
    inst = {
        'tool': {'issuer': args.issuer, 'tag': 'default', 'profile': args.profile,
                 'insecure': True, 'login_hint': args.user, 'webfinger': False,
                 'acr_values': ['1']},
        'registration_response': {
            'client_id': args.client_id, 'client_secret': args.client_secret,
            'redirect_uris': [base + 'authz_cb', base + 'authz_post'],
            'token_endpoint_auth_method': args.auth_method,
        },
    }
    idir = os.path.join('entities', quote_plus(args.issuer))
    os.makedirs(idir, exist_ok=True)
    with open(os.path.join(idir, 'default'), 'w') as f:
        json.dump(inst, f)

    import cherrypy
    import requests
    from oic.oic.message import factory as oic_message_factory
    from otest.aus.client import Factory
    from otest.aus.handling_ph import WebIh
    from otest.conf_setup import construct_app_args
    from oidctest.file_system import FileSystem
    from oidctest.op import check, func, oper, profiles
    from oidctest.op.client import Client
    from oidctest.op.profiles import PROFILEMAP
    from oidctest.optt import Main
    from oidctest.prof_util import ProfileHandler
    from oidctest.session import SessionHandler
    from oidctest.tool import WebTester
    from oidctest.tt.rest import REST

    conf = types.SimpleNamespace(
        BASE='http://127.0.0.1', ENT_PATH='entities', ENT_INFO='entity_info', FLOWDIR=flows,
        KEYS=[{'key': 'keys/enc.key', 'type': 'RSA', 'use': ['enc']},
              {'key': 'keys/sig.key', 'type': 'RSA', 'use': ['sig']},
              {'crv': 'P-256', 'type': 'EC', 'use': ['sig']},
              {'crv': 'P-256', 'type': 'EC', 'use': ['enc']}],
        VERIFY_SSL=False)
    cargs = types.SimpleNamespace(flowdir=flows, port=port, staticdir=None, path2port=None,
                                  makodir=None, insecure=True)
    os.makedirs('requests', exist_ok=True)  # request_uri files the tool serves
    rest = REST('')
    ent_conf = rest.construct_config(quote_plus(args.issuer), 'default')
    _, webenv = construct_app_args(cargs, conf, oper, func, profiles, ent_conf)
    webenv.update({'msg_factory': oic_message_factory, 'profile_map': PROFILEMAP,
                   'profile_handler': ProfileHandler, 'client_factory': Factory(Client)})
    webenv['client_info']['verify_ssl'] = False

    sh = SessionHandler(args.issuer, 'default', flows=webenv['flow_state'], rest=rest,
                        version='oidctest', **webenv)
    sh.iss, sh.tag = args.issuer, 'default'
    info = WebIh(session=sh, pre_html=FileSystem('html'), **webenv)
    tester = WebTester(info, sh, flows=webenv['flow_state'], check_factory=check.factory, **webenv)

    all_tests = sorted(webenv['flow_state'].matches_profile(args.profile))
    if args.list:
        print('\n'.join(all_tests))
        return 0
    tests = [t for t in args.tests.split(',') if t] or all_tests

    cherrypy.config.update({
        'environment': 'production', 'log.screen': False, 'log.error_file': 'site.log',
        'tools.sessions.on': True, 'tools.encode.on': True, 'tools.encode.encoding': 'utf-8',
        'tools.trailing_slash.on': False,
        'server.socket_host': '127.0.0.1', 'server.socket_port': port,
        'server.thread_pool': 4,
    })
    cherrypy.tree.mount(Main(tester, webenv['flow_state'], webenv, lambda n: n.split('-')[1]), '/',
                        {'/': {'tools.staticdir.root': os.getcwd()},
                         '/jwks': {'tools.staticdir.on': True, 'tools.staticdir.dir': 'jwks'},
                         '/requests': {'tools.staticdir.on': True, 'tools.staticdir.dir': 'requests'}})
    cherrypy.engine.start()
    threading.Thread(target=cherrypy.engine.block, daemon=True).start()

    results = []
    with open('browser.log', 'w') as log:
        for tid in tests:
            log.write('=== {}\n'.format(tid))
            t0 = time.time()
            problem = None
            browser = Browser(requests, base, args.user, args.password, log)
            try:
                problem = browser.run(tid, time.time() + args.test_timeout)
            except Exception as err:  # noqa: BLE001 - report, go on with the next test
                problem = 'browser: {}: {}'.format(type(err).__name__, err)
            verdict, reason = verdict_of(tid, webenv['flow_state'].test_info.get(tid), problem)
            note = webenv['flow_state'][tid].get('note', '')
            if verdict == 'FAILED' and 'error message' in note and not problem:
                # The tool cannot see this outcome ("submit a screen shot of the error"): the
                # driver checks that the provider showed an error page instead of redirecting.
                url, status, text = browser.last
                if url.startswith(args.issuer.rstrip('/')) and ('error' in url or status >= 400):
                    hint = re.search(r'error_hint=([^&]*)', url)
                    verdict = 'PASSED'
                    reason = 'provider displayed an error page (screenshot test, checked by the driver{})'.format(
                        ': ' + requests.utils.unquote(hint.group(1)).replace('+', ' ') if hint else '')
            reason = re.sub(r'\s+', ' ', reason).strip()[:400]
            results.append((tid, verdict, reason))
            log.write('--> {} {} ({:.1f}s) {}\n'.format(tid, verdict, time.time() - t0, reason))
            log.flush()
            print('{:<40} {:<8} {}'.format(tid, verdict, reason), flush=True)

    cherrypy.engine.exit()
    with open(out, 'w') as f:
        for row in results:
            f.write('\t'.join(row) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
