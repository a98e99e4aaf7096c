from zope.interface.verify import verifyObject
from zope.interface import Interface
