"""Generator of tests/fixtures/redaction-corpus: realistic operator files with planted, format-valid fake
secrets. Templates mark a secret as ⟦value⟧ and a must-survive token as ⟪value⟫; «alphabet:N» draws N random
characters (seeded, so the corpus is reproducible). Inside a secret: 'b64:X' is base64 of X, 'pem:LABEL:N'
a PEM block, 'pemjson:LABEL:N' the same with \\n escapes, 'ssh:N' an OpenSSH key, 'jwt' a JWT, 'X¦name' binds
a value and '*name' reuses it. The templates are data: scripts/redaction-corpus/index.json lists
the files in order (grouped by section; the order fixes the random draws), and each file's template is
scripts/redaction-corpus/templates/<file>.tpl. Run: python3 scripts/gen-redaction-corpus.py"""
import base64, json, os, random, re, sys

R = random.Random(20261207)
AL = {
    'a': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
    'l': 'abcdefghijklmnopqrstuvwxyz0123456789',
    'L': 'abcdefghijklmnopqrstuvwxyz',
    'U': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
    'A': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    'u2': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
    'h': '0123456789abcdef',
    'H': '0123456789ABCDEF',
    'd': '0123456789',
    'b': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
    'u': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-',
    'dj': 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)',
    'p': 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!%&*-_.+=^~',
    'bech': 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L',
}

def rnd(al, n):
    return ''.join(R.choice(AL[al]) for _ in range(n))

GEN = re.compile(r'«(\w+):(\d+)»')

def gen(s):
    return GEN.sub(lambda m: rnd(m.group(1), int(m.group(2))), s)

def b64(s):
    return base64.b64encode(s.encode()).decode()

def b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip('=')

def pem_body(n):
    raw = bytes(R.getrandbits(8) for _ in range(48 * n + 20))
    s = base64.b64encode(raw).decode()
    return [s[i:i + 64] for i in range(0, len(s), 64)]

def pem(label, n):
    return '\n'.join([f'-----BEGIN {label}-----', *pem_body(n), f'-----END {label}-----'])

def ssh(n):
    raw = b'openssh-key-v1\x00\x00\x00\x00\x04none' + bytes(R.getrandbits(8) for _ in range(48 * n))
    s = base64.b64encode(raw).decode()
    return '\n'.join(['-----BEGIN OPENSSH PRIVATE KEY-----', *[s[i:i + 70] for i in range(0, len(s), 70)], '-----END OPENSSH PRIVATE KEY-----'])

def jwt(iss='https://auth.example-corp.io/'):
    head = json.dumps({'alg': R.choice(['HS256', 'RS256']), 'typ': 'JWT', 'kid': rnd('h', 8)}, separators=(',', ':'))
    body = json.dumps({'sub': rnd('d', 6), 'iss': iss, 'iat': 1764900000 + R.randint(0, 99999), 'exp': 1765000000 + R.randint(0, 99999), 'scope': 'read write'}, separators=(',', ':'))
    sig = bytes(R.getrandbits(8) for _ in range(32))
    return '.'.join([b64url(head.encode()), b64url(body.encode()), b64url(sig)])

TOKEN = re.compile(r'⟦(.*?)⟧|⟪(.*?)⟫|«(\w+):(\d+)»', re.S)

def render(tpl):
    secrets, survivors, bound = [], [], {}
    def secret_value(c):
        name = None
        if '¦' in c:
            c, name = c.rsplit('¦', 1)
        if c.startswith('*'):
            return bound[c[1:]]
        if c.startswith('b64:'):
            v = b64(gen(c[4:]))
        elif c.startswith('pemjson:'):
            _, label, n = c.split(':')
            v = pem(label, int(n))
        elif c.startswith('pem:'):
            _, label, n = c.split(':')
            v = pem(label, int(n))
        elif c.startswith('ssh:'):
            v = ssh(int(c[4:]))
        elif c.startswith('jwt'):
            v = jwt()
        else:
            v = gen(c)
        if name:
            bound[name] = v
        return v
    def sub(m):
        if m.group(1) is not None:
            c = m.group(1)
            v = secret_value(c)
            if v not in secrets:
                secrets.append(v)
            if c.startswith('pemjson:'):
                return v.replace('\n', '\\n')
            line_start = m.string.rfind('\n', 0, m.start()) + 1
            lead = m.string[line_start:m.start()]
            if '\n' in v and lead.strip() == '':
                return v.replace('\n', '\n' + lead)
            return v
        if m.group(2) is not None:
            v = gen(m.group(2))
            if v not in survivors:
                survivors.append(v)
            return v
        return rnd(m.group(3), int(m.group(4)))
    text = TOKEN.sub(sub, tpl)
    return text, secrets, survivors

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'redaction-corpus')

def load_files():
    """(path, class, template) of every corpus file, in index.json's order; templates read byte for byte."""
    with open(os.path.join(DATA, 'index.json'), encoding='utf-8') as f:
        sections = json.load(f)
    files = []
    for section in sections:
        for entry in section['files']:
            with open(os.path.join(DATA, 'templates', entry['path'] + '.tpl'), encoding='utf-8', newline='') as f:
                files.append((entry['path'], entry['class'], f.read()))
    return files

FILES = load_files()

def secret_lines(s):
    if '\n' not in s:
        return [s]
    return [l for l in s.split('\n') if len(l) >= 6 and not l.startswith('-----')]

def write(root):
    expect, seen = [], {}
    for path, cls, tpl in FILES:
        text, secrets, survivors = render(tpl)
        blank = text
        for s in sorted(secrets, key=len, reverse=True):
            for part in secret_lines(s):
                blank = blank.replace(part, '\x00')
        for s in secrets:
            assert len(s) >= 8, (path, s)
            assert s not in seen, (path, s, seen.get(s))
            seen[s] = path
            for line in secret_lines(s):
                for i in range(len(line) - 5):
                    w = line[i:i + 6]
                    if w not in blank:
                        continue
                    # The scorer excuses a window that also occurs outside the secrets; say so, to keep them rare.
                    print(f'note: {path}: {w!r} of a secret also occurs outside it', file=sys.stderr)
        for v in survivors:
            assert v in text, (path, v)
            assert v in blank, (path, 'survivor overlaps a secret', v)
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'w') as f:
            f.write(text)
        expect.append({'file': path, 'class': cls, 'secrets': secrets, 'survivors': survivors})
    with open(os.path.join(root, 'expect.json'), 'w') as f:
        json.dump(expect, f, indent=2)
        f.write('\n')
    print(f'{len(expect)} files, {sum(len(e["secrets"]) for e in expect)} secrets, {sum(len(e["survivors"]) for e in expect)} survivors')

if __name__ == '__main__':
    here = os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(here, '..', 'tests', 'fixtures', 'redaction-corpus'))
