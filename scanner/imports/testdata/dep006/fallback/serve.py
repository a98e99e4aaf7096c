# no manifest above this file: compared with every manifest of the repository
from flask import Flask
import numpy  # EXPECT numpy
