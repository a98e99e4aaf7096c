import enum
import hashlib
import hmac


class TokenType(enum.Enum):
    ACCESS = "access"


def check_webhook(request, secret):
    expected = hmac.new(secret, request.body, hashlib.sha256).hexdigest()
    if request.headers["X-Hub-Signature"] != expected:  # want: AUTH-007
        raise PermissionError()
    if hmac.new(secret, request.body, hashlib.sha256).hexdigest() == request.headers.get("X-Signature"):  # want: AUTH-007
        return True
    return hmac.compare_digest(expected, request.headers["X-Sig"])  # ok: AUTH-007


def check_key(request, settings):
    if request.headers.get("X-API-Key") == settings.API_KEY:  # want: AUTH-007
        return True
    api_key = request.args.get("key")
    if api_key != stored_api_key():  # want: AUTH-007
        return False
    return True


def login(user, password):
    if user.password == password:  # want: AUTH-007
        return True
    if password == "":  # ok: AUTH-007
        return False
    if password is None:  # ok: AUTH-007
        return False
    if len(password) == 0:  # ok: AUTH-007
        return False
    return False


def register(form):
    if form.password != form.password_confirm:  # ok: AUTH-007
        raise ValueError("passwords differ")


def kinds(token, payload):
    if payload["type"] == TokenType.ACCESS:  # ok: AUTH-007
        pass
    if token.token_type == "bearer":  # ok: AUTH-007
        pass
    if token == None:  # ok: AUTH-007
        pass
    if token.count == 3:  # ok: AUTH-007
        pass
    if payload.get("token_type") == "refresh":  # ok: AUTH-007
        pass
    if token == self_token:  # want: AUTH-007
        pass


def tokenizer(tokens):
    for token in tokens:
        if token == "(":  # ok: AUTH-007
            pass


class Cred:
    def __eq__(self, other):
        return self.secret == other.secret  # ok: AUTH-007


def test_signature():
    assert signature == "abc123def456"  # ok: AUTH-007


def verify_api_key(provided: str, expected: str) -> bool:
    return provided == expected  # want: AUTH-007


def check_token_count(tokens, limit):
    return len(tokens) == limit  # ok: AUTH-007
