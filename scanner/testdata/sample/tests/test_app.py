def test_x():
    assert 1  # FINDME

# FINDME  # vigil-ignore: TST-001 -- fixture value
