#!/usr/bin/env python3
"""Write a YAML file you deploy (prometheus.yml, a rule file, alertmanager.yml, a Marathon or Chronos file
kept as YAML) as the JSON ClusterSim reads. JSON is YAML, so the result still loads in the real tool.

  scripts/yaml-to-json.py prometheus.yml > scenarios/mine/prometheus.json
  scripts/yaml-to-json.py -o scenarios/mine/ prometheus.yml rules/*.yml alertmanager.yml

With -o DIR every FILE becomes DIR/<name>.json (prometheus.yml -> prometheus.json); rule_files and other
paths inside the files are not rewritten: name the .json files there, or keep the names.

Read as Go's YAML decoder (yaml.v2/v3, which Prometheus, Alertmanager and consul-template use) reads these
files where PyYAML differs: timestamps stay strings as written, and a tab after a value at a line's end
is white space. One document per file (Prometheus reads the first; a file with several is refused here
so nothing is dropped without a word). Needs PyYAML (Debian: python3-yaml).
Exit status: 0, or 2 with one line per file that could not be read.
"""
import json, os, re, sys


def loader():
    import yaml  # PyYAML
    class GoLike(yaml.SafeLoader):
        pass
    # keep timestamps as written (Go's decoders give strings)
    GoLike.yaml_implicit_resolvers = {k: [(t, r) for (t, r) in v if t != 'tag:yaml.org,2002:timestamp']
                                      for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    return yaml, GoLike


def load_documents(data):
    """The non-empty YAML documents of `data` (bytes), read as described above."""
    yaml, L = loader()
    try:
        return [x for x in yaml.load_all(data, Loader=L) if x is not None]
    except yaml.scanner.ScannerError:
        # PyYAML refuses a tab after a value at a line's end ("found character '\t' that cannot start any
        # token"); Go's yaml (libyaml's scanner) takes it as white space
        return [x for x in yaml.load_all(re.sub(rb'[ \t]+$', b'', data, flags=re.M), Loader=L) if x is not None]


def to_json(data):
    """One file's JSON text; ValueError with the reason when it is not one YAML document."""
    docs = load_documents(data)
    if len(docs) > 1:
        raise ValueError('%d YAML documents (separated by ---); write one per file' % len(docs))
    return json.dumps(docs[0] if docs else {}, indent=2, default=str, ensure_ascii=False) + '\n'


def main(argv):
    args, out = list(argv), None
    if args[:1] in (['-h'], ['--help']) or not args:
        print(__doc__.strip()); return 0 if args else 2
    if args[0] == '-o':
        if len(args) < 3:
            print('yaml-to-json: -o DIR needs a folder and at least one file', file=sys.stderr); return 2
        out, args = args[1], args[2:]
    elif len(args) > 1:
        print('yaml-to-json: several files need -o DIR', file=sys.stderr); return 2
    try:
        loader()
    except ImportError:
        print('yaml-to-json: PyYAML is missing: sudo apt-get install python3-yaml (or pip install pyyaml)', file=sys.stderr)
        return 2
    texts, failed = [], False
    for f in args:
        try:
            with open(f, 'rb') as h:
                texts.append((f, to_json(h.read())))
        except Exception as e:  # every reason PyYAML or the file system gives, on one line
            print('yaml-to-json: %s: %s' % (f, ' '.join(str(e).split())), file=sys.stderr)
            failed = True
    if failed:
        return 2   # nothing written
    stems = [re.sub(r'\.(ya?ml|rules)$', '', os.path.basename(f)) for f, _ in texts]
    if out is not None and len(set(stems)) < len(stems):
        dup = sorted(s for s in set(stems) if stems.count(s) > 1)[0]
        print('yaml-to-json: two files would both be written as %s.json' % dup, file=sys.stderr)
        return 2
    if out is not None:
        os.makedirs(out, exist_ok=True)
    for (f, text), stem in zip(texts, stems):
        if out is None:
            sys.stdout.write(text)
        else:
            with open(os.path.join(out, stem + '.json'), 'w', encoding='utf-8') as h:
                h.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
