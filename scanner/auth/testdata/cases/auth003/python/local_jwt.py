class jwt:
    @staticmethod
    def encode(payload, key):
        return str(payload)


def token(user):
    return jwt.encode({"sub": user}, "k")  # ok: AUTH-003
