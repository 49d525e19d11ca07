#!/usr/bin/env bash
# contrib/ansible/site.yml against this machine as the only host (Debian's ansible
# package, -c local): the pinned source is packed, built, one native-only benchmark
# runs, its results file is fetched, and the controller models a profile on it.
# Skips when ansible-playbook is missing (it is not one of vmtax's dependencies).
set -u
VMTAX=${VMTAX:-./vmtax}
if ! command -v ansible-playbook >/dev/null; then
	echo "skip - ansible playbook: ansible-playbook is not installed (apt-get install ansible)"
	exit 0
fi
if ! git rev-parse HEAD >/dev/null 2>&1; then
	echo "skip - ansible playbook: not a git checkout (the playbook packs a pinned commit)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$tmp/results"

ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False \
ansible-playbook -i localhost, -c local contrib/ansible/site.yml \
	-e vmtax_install_deps=false -e vmtax_version=HEAD -e "vmtax_dir=$tmp/host" \
	-e "vmtax_results_dir=$out" -e '{"vmtax_benches": ["exits/ref-syscall"]}' \
	-e "vmtax_bin=$PWD/$VMTAX" -e "vmtax_profile=$PWD/tests/fixtures/profiles/hand.json" \
	>"$tmp/log" 2>&1
rc=$?
[ $rc -eq 0 ] && echo "ok - ansible playbook runs against localhost" || { echo "not ok - ansible playbook runs against localhost (exit $rc)"; tail -20 "$tmp/log" | sed 's/^/#   /'; }
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="vmtax/1" and d["results"][0]["id"]=="exits/ref-syscall"' "$out/localhost.json" 2>/dev/null \
	&& echo "ok - ansible playbook fetched the host's results file" || echo "not ok - ansible playbook fetched the host's results file"
grep -q '% of vCPU time' "$out/model.md" 2>/dev/null \
	&& echo "ok - ansible playbook modelled the profile on the controller" || echo "not ok - ansible playbook modelled the profile on the controller"
