# the project computes its requirements: not compared
import numpy
