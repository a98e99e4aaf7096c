import redis  # EXPECT redis (worker only)
r = redis.Redis()
