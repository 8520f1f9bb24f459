#!/usr/bin/env python3
"""Convert a CloudFormation YAML fixture (short-form tags) to long-form JSON: yaml2json.py IN OUT."""
import json
import sys

import yaml


class Loader(yaml.SafeLoader):
    pass


def _construct(tag):
    long = tag if tag in ("Ref", "Condition") else "Fn::" + tag

    def f(loader, node):
        if isinstance(node, yaml.ScalarNode):
            v = loader.construct_scalar(node)
            if tag == "GetAtt":
                v = v.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            v = loader.construct_sequence(node, deep=True)
        else:
            v = loader.construct_mapping(node, deep=True)
        return {long: v}

    return f


for t in ["Ref", "Condition", "GetAtt", "Sub", "If", "Join", "Select", "Split", "FindInMap", "Base64",
          "Cidr", "Equals", "And", "Or", "Not", "ImportValue", "GetAZs", "Transform", "Length"]:
    Loader.add_constructor("!" + t, _construct(t))

with open(sys.argv[1]) as f:
    data = yaml.load(f, Loader=Loader)
with open(sys.argv[2], "w") as f:
    json.dump(data, f, indent=2)
    f.write("\n")
