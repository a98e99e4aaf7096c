import httpx  # EXPECT httpx (declared only by the workspace root project)
def get(u):
    return httpx.get(u)
