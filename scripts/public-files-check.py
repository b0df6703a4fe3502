#!/usr/bin/env python3
"""Runs public configuration files through `clustersim validate` and compares with the real verdict
(docs/monitoring.md, rules.md, alertmanager.md, marathon.md, chronos.md, consul.md, storage.md: "Checked
against public files"). The files are not in this repository: fetch them into a scratch folder first.

  public-files-check.py convert SRC DST        YAML tree SRC -> same tree DST, every .yml/.yaml/.rules as JSON
  public-files-check.py FORMAT SCRATCH [CLUSTERSIM]
      prom   SCRATCH/prom.files: paths of prometheus.yml files under SCRATCH/promtree (YAML, judged by
             `promtool check config PATH` run from SCRATCH/promtree) and SCRATCH/jtree (the same tree converted, read by ours);
             SCRATCH/prom.verdicts (optional, {"path": true|false}) gives 2.42's verdict where Debian's
             promtool cannot judge (a discovery it is built without, in a file whose name is not 2.42's verdict)
      rules  SCRATCH/rules.files: rule files, same trees, judged by `promtool check rules`
      am     SCRATCH/am.files: alertmanager.yml files under SCRATCH/amtree / SCRATCH/amj, `amtool check-config`
      marathon|chronos|consul  SCRATCH/FORMAT/*.json, real verdicts in SCRATCH/FORMAT.verdicts
             ({"file.json": true|false}, decided from the system's own validation code); consul also
             takes *.hcl service definitions (read as HCL, as Consul picks the format by extension)
      ctconf SCRATCH/ctconf/*: consul-template configuration files (HCL or JSON) at consulTemplate.config;
             real verdicts in SCRATCH/ctconf.verdicts (would consul-template's config.Parse accept it). A file
             whose only refusals are the simulator's limits (a template `source` the scenario does not bring
             along; before 2026-12, also a `command` that is not an nginx reload) counts as accepted, marked
             [limit]. SCRATCH/ctconf.scenario (optional, {"file": {"consulTemplate": {...}, "files": {"rel":
             "text"}}}) adds what the file's deployment brings: keys of the section beside `config` (the
             `sourceFolders` mapping its absolute sources) and the template files, written under SCRATCH/ctconf
      ctmpl  SCRATCH/ctmpl/*: consul-template templates, the `source` of a consulTemplate section; real
             verdicts in SCRATCH/ctmpl.verdicts ({"file": true|false}: would consul-template parse and render
             it, decided from its template/funcs.go and Go's text/template); SCRATCH/ctmpl.scenario (optional,
             {"file": {"consul": {...}, "consulTemplate": {...}}}) adds what the file's deployment gives it (the
             KV keys it reads, its environment), merged into the wrapping scenario
      daemonjson  SCRATCH/daemonjson/*.json: /etc/docker/daemon.json files at storage.hostGroups[0].daemonConfig;
             real verdicts in SCRATCH/daemonjson.verdicts ({"file": true|false}: would dockerd 18.09 start with it,
             decided from moby/moby@v18.09.0: getConflictFreeConfiguration, config.Validate, the registry service's
             Load* and the graph drivers' option parsers). SCRATCH/daemonjson.scenario (optional, {"file": {...}})
             adds keys to the host group (a direct-lvm `mode` for a file naming dm.thinpooldev) or to `storage`
             (`{"storage": {"dockerVersion": "20.10"}}`); SCRATCH/daemonjson.later (optional, {"file": ["20.10",
             true|false]}) runs the file a second time at the release it was written for, against that verdict
             A file whose only refusal is a storage driver dockerd has and the simulator does not model
             (overlay, aufs, ...) counts as accepted, marked [limit].
      dockerd  SCRATCH/dockerd/*.json: each a `flagsFrom` list (a unit's ExecStart as {"commandLine": ...}, the
             sysconfig files it names as {"environmentFile": ...}, relative to SCRATCH/dockerd); verdicts, .scenario
             and .later as for daemonjson (pflag and cobra at moby/moby@v18.09.0; `docker daemon` by the docker CLI)
      zoocfg SCRATCH/zoocfg/*: zoo.cfg files at zookeeper.config; real verdicts in SCRATCH/zoocfg.verdicts (would
             ZooKeeper 3.4.14's QuorumPeerMain start with it: QuorumPeerConfig.parse/parseProperties). A file
             ZooKeeper runs standalone (no server.N line, or one) or as an ensemble of a size the simulator does
             not take (not 3, 5 or 7) counts as accepted when the simulator refuses it for that reason only, marked [limit]
      cephconf  SCRATCH/cephconf/*: ceph.conf files at storage.ceph.config; real verdicts in SCRATCH/cephconf.verdicts
             ({"file": true|false}: would Ceph 14.2's OSDs and monitors start with it: ConfFile::parse_file and
             md_config_t::parse_config_files at ceph/ceph v14.2.16, which log what they cannot take and start). A
             file whose only refusals are the simulator's limits ("the simulator cannot run", a value Ceph takes
             outside the model's range) counts as accepted, marked [limit]. SCRATCH/cephconf.judge (optional) is a
             program given a file's path that prints Ceph's own messages for it ("ERR <parse error>", "WARN <line
             redefined>", "PARSEERR <parse error setting ...>" for the modelled options as an OSD and a monitor
             look them up); every message must be among the simulator's warnings, else "[messages differ]"
      flags  SCRATCH/flags.json: deployed command lines, a list of {"id", "program" (prometheus, alertmanager,
             marathon-lb, mesos-master, mesos-agent, marathon, chronos, consul-template), "source"
             (repository@commit:path), "words" (the words the program sees, without its own path) or "sources"
             (flagsFrom entries, e.g. {"marathonApp": "app.json"}), "files" ({"rel": "text"}, written under
             SCRATCH/flags/ID/), "real" (the real verdict, for the programs not run here), "why"}. Prometheus and
             Alertmanager are judged by running this machine's binaries (`prometheus`, `prometheus-alertmanager` or
             `alertmanager`: 2.42.0 and 0.25.0) with the flags only: --config.file pointed at a file that does
             not exist and --storage.* at a scratch folder, so the flags are accepted when the binary gets as far
             as reading the configuration (its "Error loading config" / "Loading configuration file failed");
             marathon-lb by SCRATCH/mlbjudge.py (v1.11.0's run script and argparse code, fetched into SCRATCH)
Prints AGREE/DIFF per file and "== FORMAT: n/m agree"; for prom, rules and am also how many of the files both
refuse get the real tool's reason (our first error's text, without its place, found in the tool's output;
"[reason differs]" marks the others), with the tool's output beside every refusal.
"""
import json, os, re, subprocess, sys

def convert(src, dst):
    # the same reading as a user's conversion (scripts/yaml-to-json.py: Go's YAML decoders' timestamps and tabs)
    import importlib.util
    spec = importlib.util.spec_from_file_location('yaml_to_json', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'yaml-to-json.py'))
    y2j = importlib.util.module_from_spec(spec); spec.loader.exec_module(y2j)
    for root, _, files in os.walk(src):
        for f in files:
            s = os.path.join(root, f); d = os.path.join(dst, os.path.relpath(s, src))
            os.makedirs(os.path.dirname(d), exist_ok=True)
            data = open(s, 'rb').read()
            # also alert.rules.TEST and the like, which rule_files may name
            if f.endswith(('.yml', '.yaml', '.rules')) or re.search(r'\.(rules|ya?ml)\.[A-Za-z0-9_-]+$', f):
                try:
                    docs = y2j.load_documents(data)
                    if len(docs) <= 1:
                        data = json.dumps(docs[0] if docs else {}, indent=1, default=str).encode()
                except Exception as e:
                    print('not converted:', s, str(e).splitlines()[0])
            open(d, 'wb').write(data)

BASE = {"name": "w", "seed": 1, "duration": "10m",
        "hostGroups": [{"name": "master", "count": 3, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                       {"name": "monitor", "count": 1, "cpus": 4, "memory": "16GiB", "disk": "200GB"},
                       {"name": "slave", "count": 3, "cpus": 8, "memory": "32GiB", "disk": "500GB"}],
        "zookeeper": {"servers": 3}, "mesos": {"masters": {"count": 3}, "agents": {"hostGroups": ["slave"]}}}

def main():
    if sys.argv[1] == 'convert':
        return convert(sys.argv[2], sys.argv[3])
    fmt, S = sys.argv[1], sys.argv[2]
    cs = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), '..', '.build', 'debug', 'clustersim')

    def validate(scen, path):
        with open(path, 'w') as f: json.dump(scen, f, indent=1)
        p = subprocess.run([cs, 'validate', path], capture_output=True, text=True, timeout=120)
        out = [l for l in (p.stdout + p.stderr).strip().splitlines() if 'nothing was run' not in l and 'warning:' not in l]
        return p.returncode, ' | '.join(out)

    def tool(cmd, cwd):
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=120)
        out = (p.stdout + p.stderr).strip().splitlines()
        # amtool writes its reason on the Checking line ("Checking 'f'  FAILED: ..."): keep that part
        out = [('FAILED: ' + l.split('FAILED:', 1)[1].strip()) if l.startswith('Checking') and 'FAILED:' in l else l for l in out]
        return p.returncode, ' | '.join(l.strip() for l in out if not l.startswith('Checking') and 'SUCCESS' not in l)

    rows = []
    if fmt == 'flags':
        return flags(S, validate)
    ov = os.path.join(S, fmt + '.verdicts')
    overrides = json.load(open(ov)) if fmt == 'prom' and os.path.exists(ov) else {}
    if fmt in ('prom', 'rules', 'am'):
        yroot, jroot = {'am': ('amtree', 'amj')}.get(fmt, ('promtree', 'jtree'))
        for y in open(os.path.join(S, fmt + '.files')).read().split():
            cmd = {'prom': ['promtool', 'check', 'config'], 'rules': ['promtool', 'check', 'rules'], 'am': ['amtool', 'check-config']}[fmt]
            # run from the tree's root, as the loader reads the file from the wrapping scenario's folder, so
            # both name a file the configuration refers to by the same path (config.JoinDir)
            rc_real, why_real = tool(cmd + [y], os.path.join(S, yroot))
            # Debian's promtool 2.42 is built without some discoveries (consul, kubernetes, kuma, linode, nomad):
            # for a file it refuses for that reason only, upstream 2.42's verdict is the file's name (config_test.go:
            # *.bad.yml fail), or SCRATCH/prom.verdicts ({"path": true|false}, decided from 2.42's code) when given.
            if fmt == 'prom' and rc_real != 0:
                errs = [l for l in why_real.split(' | ') if re.match(r'line \d+: ', l)]
                if errs and all(re.search(r'field (consul|kubernetes|kuma|linode|nomad)_sd_configs not found', l) for l in errs):
                    rc_real = 1 if y.endswith('.bad.yml') else 0
                    why_real = '(2.42 verdict by name) ' + why_real
            if fmt == 'prom' and y in overrides:
                rc_real = 0 if overrides[y] else 1
                why_real = '(2.42 verdict from its code: SCRATCH/prom.verdicts) ' + why_real
            scen = dict(BASE)
            if fmt == 'prom':
                scen["prometheus"] = {"host": "monitor-01", "config": y}
            elif fmt == 'rules':
                os.makedirs(os.path.join(S, jroot, 'rw'), exist_ok=True)
                with open(os.path.join(S, jroot, 'rw', 'p.json'), 'w') as f: json.dump({"rule_files": ['../' + y]}, f)
                scen["prometheus"] = {"host": "monitor-01", "config": "rw/p.json"}
            else:
                scen["alertmanager"] = {"hosts": ["monitor-01"], "config": y}
            rc, why = validate(scen, os.path.join(S, jroot, 'wrap.json'))
            rows.append((y, rc_real == 0, rc, why, why_real))
    else:
        runs = sorted(json.load(open(os.path.join(S, fmt + '.verdicts'))).items())
        lp = os.path.join(S, fmt + '.later')
        # a second run of a file at the release it was written for (storage.dockerVersion), against that release's verdict
        runs = [(n, ok, None) for n, ok in runs] + ([(n, ok, v) for n, (v, ok) in sorted(json.load(open(lp)).items())] if os.path.exists(lp) else [])
        for name, ok, later in runs:
            scen = dict(BASE)
            if fmt == 'marathon':
                # marathon-lb's ci/backends_1.9 files are for DC/OS 1.9, i.e. Marathon 1.4
                scen["marathon"] = {"version": '1.4' if '1.9' in name else '1.10', "apps": [name]}
            elif fmt == 'ctmpl':
                extra = json.load(open(os.path.join(S, 'ctmpl.scenario'))).get(name, {}) if os.path.exists(os.path.join(S, 'ctmpl.scenario')) else {}
                scen["consul"] = dict({"servers": 3, "hostGroup": "master"}, **extra.get("consul", {}))
                scen["nginx"] = {"hostGroup": "monitor"}
                scen["consulTemplate"] = dict({"template": [{"source": name, "destination": "/etc/nginx/conf.d/t.conf"}]},
                                              **extra.get("consulTemplate", {}))
            elif fmt == 'ctconf':
                sp = os.path.join(S, 'ctconf.scenario')
                extra = json.load(open(sp)).get(name, {}) if os.path.exists(sp) else {}
                for rel, text in extra.get("files", {}).items():
                    dst = os.path.normpath(os.path.join(S, 'ctconf', rel))
                    if not dst.startswith(os.path.join(S, 'ctconf') + os.sep):
                        sys.exit(f'ctconf.scenario: {rel} is outside SCRATCH/ctconf')
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    with open(dst, 'w') as f: f.write(text)
                scen["consul"] = {"servers": 3, "hostGroup": "master"}
                scen["nginx"] = {"hostGroup": "monitor"}
                scen["consulTemplate"] = dict({"config": {"$include": name}}, **extra.get("consulTemplate", {}))
            elif fmt in ('daemonjson', 'dockerd'):
                sp = os.path.join(S, fmt + '.scenario')
                extra = json.load(open(sp)).get(name, {}) if os.path.exists(sp) else {}
                group = dict({"hostGroup": "slave"}, **{k: v for k, v in extra.items() if k != "storage"})
                if fmt == 'daemonjson':
                    group["daemonConfig"] = name
                else:
                    group["flagsFrom"] = json.load(open(os.path.join(S, fmt, name)))
                scen["storage"] = dict({"hostGroups": [group]}, **extra.get("storage", {}))
                if later is not None:
                    scen["storage"]["dockerVersion"] = later
            elif fmt == 'zoocfg':
                scen["hostGroups"] = BASE["hostGroups"] + [{"name": "zk", "count": 7, "cpus": 2, "memory": "8GiB", "disk": "100GB"}]
                scen["zookeeper"] = {"config": name, "hostGroup": "zk"}
            elif fmt == 'chronos':
                scen["chronos"] = {"version": "3.x", "jobs": [{"$include": name}]}
            elif fmt == 'cephconf':
                scen["storage"] = {"ceph": {"osdHostGroup": "slave", "config": name}}
            else:
                scen["marathon"] = {"apps": [{"id": "/shop/web", "cmd": "x", "cpus": 0.1, "mem": 32, "instances": 1}]}
                scen["consul"] = {"servers": 3, "hostGroup": "master", "services": {"/shop/web": {"$include": name}}}
            rc, why = validate(scen, os.path.join(S, fmt, 'wrap.json'))
            if fmt == 'ctconf' and rc == 2:
                # the simulator's limits, not consul-template's: the template text must be brought along
                # (inside the scenario's folder); before 2026-12 only nginx reload commands were run
                limits = (r'\.source: .*(absolute path|no such file|outside the scenario)', r'\.command: the simulator runs only commands that reload nginx')
                errs = [l for l in why.split(' | ') if re.match(r'\S+:\d+', l) or l.startswith('consulTemplate')]
                if errs and all(any(re.search(x, l) for x in limits) for l in errs):
                    rc, why = 0, '[limit] ' + why
            if fmt in ('daemonjson', 'dockerd') and rc == 2:
                # the simulator's limit, not dockerd's: it models devicemapper and overlay2 only
                errs = [l for l in why.split(' | ') if re.match(r'\S+:\d+', l) or l.startswith('storage')]
                if errs and all(re.search(r'has the \w+ storage driver, but the simulator models', l) for l in errs):
                    rc, why = 0, '[limit] ' + why
            if fmt == 'zoocfg' and rc == 2:
                # the simulator's limits, not ZooKeeper's: it models an ensemble of 3, 5 or 7 servers
                limits = (r"the simulator cannot run \S+: it has (no server\.N line|one server line|\d+ participants)",)
                errs = [l for l in why.split(' | ') if re.match(r'\S+:\d+', l) or l.startswith('zookeeper')]
                if errs and all(any(re.search(x, l) for x in limits) for l in errs):
                    rc, why = 0, '[limit] ' + why
            if fmt == 'cephconf':
                if rc == 2:
                    # the simulator's limits, not Ceph's: a value Ceph 14.2 takes that the model does not run
                    errs = [l for l in why.split(' | ') if re.match(r'\S+:\d+', l) or l.startswith('storage')]
                    if errs and all('the simulator cannot run' in l for l in errs):
                        rc, why = 0, '[limit] ' + why
                judge = os.path.join(S, 'cephconf.judge')
                if os.path.exists(judge):
                    # Ceph's own messages for the file must be among the simulator's warnings (at most 20 parse errors, as Ceph logs)
                    said = subprocess.run([cs, 'validate', os.path.join(S, fmt, 'wrap.json')], capture_output=True, text=True, timeout=120)
                    ours = said.stdout + said.stderr
                    real = subprocess.run([judge, os.path.join(S, fmt, name)], capture_output=True, text=True, timeout=60).stdout.splitlines()
                    msgs = [l.split(' ', 1)[1].rstrip() for l in real if l.startswith(('ERR ', 'WARN ', 'PARSEERR '))]
                    missing = [m for m in msgs[:20] if m not in ours]
                    why = (f'[messages differ: {missing}] ' if missing else f'[{len(msgs)} Ceph messages, all among ours] ') + why
            # the real program's reason for a refusal, as decided from its code (SCRATCH/FORMAT.reasons, optional)
            rp = os.path.join(S, fmt + '.reasons')
            reason = json.load(open(rp)).get(name, '') if os.path.exists(rp) and later is None else ''
            rows.append((name if later is None else f'{name} @{later}', ok, rc, why, reason))
    agree = same_reason = refused = 0
    for (n, ok, rc, why, wr) in rows:
        a = (rc == 0) == ok and rc in (0, 2)
        agree += a
        # for a file both refuse, whether our first error's reason (without its place and the note on
        # the release modelled) is in the real tool's output: "reason differs" marks the ones to read
        note = ''
        if a and not ok and fmt in ('prom', 'rules', 'am'):
            refused += 1
            core = re.sub(r' \((Prometheus|Alertmanager) [0-9.]+, the release .*$', '', re.sub(r'^\S+:\d+:\d+: (?:[\w.\[\]"-]+: )?', '', why.split(' | ')[0]))
            # the simulator's own explanation after the tool's words (a rule file's absolute path)
            core = re.sub(r' \(an absolute path: .*$', '', core)
            same = core[:60] in wr
            same_reason += same
            note = '' if same else ' [reason differs]'
        print(('AGREE ' if a else 'DIFF  ') + f'{n} real={"ok" if ok else "reject"} ours={rc}{note} :: {why[:220]}' + ('' if a and ok else f' || real: {wr[:300]}'))
    print(f'== {fmt}: {agree}/{len(rows)} agree' + (f'; {same_reason}/{refused} refused by both with the real reason' if refused else ''))

def flag_judge(S, e):
    """The real program's verdict on a deployed command line: (accepted, reason), or None when it cannot run here."""
    import shutil
    prog, words = e['program'], list(e.get('words', []))
    if prog in ('prometheus', 'alertmanager'):
        exe = shutil.which('prometheus') if prog == 'prometheus' else (shutil.which('prometheus-alertmanager') or shutil.which('alertmanager'))
        if not exe:
            return None
        jd = os.path.join(S, 'judge', e['id'])
        os.makedirs(jd, exist_ok=True)
        # point the files at scratch: the configuration at one that is absent (the run stops there), storage at a folder
        swap = {'--config.file': os.path.join(jd, 'absent.yml'), '--storage.tsdb.path': os.path.join(jd, 'data'),
                '--storage.path': os.path.join(jd, 'data'), '--storage.agent.path': os.path.join(jd, 'agent')}
        out, skip = [], False
        for i, w in enumerate(words):
            if skip:
                skip = False; continue
            name = w.split('=', 1)[0]
            if name in swap:
                out.append(name + '=' + swap[name]); skip = '=' not in w and i + 1 < len(words); continue
            out.append(w)
        try:
            p = subprocess.run([exe] + out, capture_output=True, text=True, cwd=jd, timeout=20)
            text = p.stdout + p.stderr
        except subprocess.TimeoutExpired as t:
            text = (t.stdout or b'').decode() + (t.stderr or b'').decode() + ' [still running after 20s]'
        reached = 'Error loading config' in text or 'Loading configuration file failed' in text or 'still running' in text
        lines = [l for l in text.splitlines() if 'level=error' in l or 'error' in l.lower()]
        return reached, (lines[0] if lines else text.strip().splitlines()[-1] if text.strip() else '')[:300]
    if prog == 'marathon-lb' and os.path.exists(os.path.join(S, 'mlbjudge.py')):
        if not words:
            app = json.load(open(os.path.join(S, 'flags', e['id'], e['sources'][0]['marathonApp'])))
            import shlex
            words = app['args'] if app.get('args') else shlex.split(app.get('cmd') or '')
        p = subprocess.run([sys.executable, os.path.join(S, 'mlbjudge.py'), json.dumps(words)], capture_output=True, text=True, timeout=60)
        v = p.stdout.strip() or p.stderr.strip()
        return v == 'OK', v
    return None

SECTION_BASE = {
    'prometheus': lambda src: {"prometheus": {"host": "monitor-01", "flagsFrom": src}},
    'alertmanager': lambda src: {"alertmanager": {"hosts": ["monitor-01"], "flagsFrom": src,
                                                  "config": {"route": {"receiver": "r"}, "receivers": [{"name": "r"}]}}},
    'marathon-lb': lambda src: {"marathon": {"apps": []}, "marathonLB": {"instances": [{"hostGroup": "slave"}], "flagsFrom": src}},
    'mesos-master': lambda src: {"mesos": {"masters": {"count": 3, "flagsFrom": src}, "agents": {"hostGroups": ["slave"]}}},
    'mesos-agent': lambda src: {"mesos": {"masters": {"count": 3}, "agents": {"hostGroups": ["slave"], "flagsFrom": src}}},
    'marathon': lambda src: {"marathon": {"flagsFrom": src}},
    'chronos': lambda src: {"chronos": {"hosts": ["master-01"], "flagsFrom": src}},
    'consul-template': lambda src: {"consul": {"servers": 3, "hostGroup": "master"}, "nginx": {"hostGroup": "monitor"},
                                    "consulTemplate": {"flagsFrom": src}},
}

def flags(S, validate):
    rows = []
    for e in json.load(open(os.path.join(S, 'flags.json'))):
        d = os.path.join(S, 'flags', e['id'])
        os.makedirs(d, exist_ok=True)
        for rel, text in e.get('files', {}).items():
            os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
            with open(os.path.join(d, rel), 'w') as f: f.write(text)
        src = e.get('sources') or [{"commandLine": [e['program']] + e.get('words', [])}]
        scen = dict(BASE)
        scen.update(SECTION_BASE[e['program']](src))
        def merge(a, b):
            # the entry's scenario keys over the wrapper's, objects merged key by key
            return {k: merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v for k, v in {**a, **b}.items()} if isinstance(a, dict) else b
        scen = merge(scen, e.get('scenario', {}))
        rc, why = validate(scen, os.path.join(d, 'wrap.json'))
        j = flag_judge(S, e)
        if j is None:
            ok, wr = e['real'], '(from the code) ' + e.get('why', '')
        else:
            ok, wr = j
            if 'real' in e and e['real'] != ok:
                wr += ' [differs from the recorded verdict]'
        rows.append((e['id'], e['program'], ok, rc, why, wr))
    agree = 0
    for (n, prog, ok, rc, why, wr) in rows:
        a = (rc == 0) == ok and rc in (0, 2)
        agree += a
        print(('AGREE ' if a else 'DIFF  ') + f'{n} {prog} real={"ok" if ok else "reject"} ours={rc} :: {why[:220]}' + ('' if a and ok else f' || real: {wr[:300]}'))
    for prog in sorted({r[1] for r in rows}):
        rs = [r for r in rows if r[1] == prog]
        print(f'== flags {prog}: {sum((r[3] == 0) == r[2] and r[3] in (0, 2) for r in rs)}/{len(rs)} agree')
    print(f'== flags: {agree}/{len(rows)} agree')

main()
