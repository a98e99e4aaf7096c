def confirm_email(user, submitted):
    if user.verified_at == None:  # ok: AUTH-007
        pass
    if submitted.token != user.verification_token:  # want: AUTH-007
        raise PermissionError("bad token")
    if submitted.token == user.reset_url_token:  # ok: AUTH-007
        return False
    return True
