import google.generativeai as genai  # EXPECT google-generativeai
genai.configure()
