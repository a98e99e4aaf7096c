from jaraco.text import dedent  # EXPECT jaraco.text
import jaraco.functools
x = dedent(" a")
