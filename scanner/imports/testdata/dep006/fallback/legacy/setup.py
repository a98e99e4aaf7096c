from setuptools import setup
setup(name="legacy", install_requires=open("reqs.in").read().split())
