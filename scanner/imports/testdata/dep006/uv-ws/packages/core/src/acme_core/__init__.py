import attrs
