#!/bin/sh
# Reports what cloud-init made of this guest on the serial console, one "FASTVM-GUEST key=value"
# line each, then powers the guest off (unless told to keep running). Run by
# fastvm-report.service after cloud-final.service (installed as /usr/local/sbin/fastvm-report by
# CloudGuest).
exec >/dev/ttyS0 2>&1
say() { printf 'FASTVM-GUEST %s\n' "$*"; }

say "kernel=$(uname -r)"
say "hostname=$(hostname)"
if [ -f /run/cloud-init/result.json ]; then
  python3 -c '
import json
v1 = json.load(open("/run/cloud-init/result.json"))["v1"]
print("FASTVM-GUEST cloud-init datasource=%s" % v1["datasource"])
for e in v1["errors"]:
    print("FASTVM-GUEST cloud-init error=%s" % e)
'
else
  # cloud-init writes result.json when its last stage ends: it did not run, or not to the end.
  say "cloud-init result=missing"
fi
grep -E 'WARNING|ERROR|Traceback' /var/log/cloud-init.log 2>/dev/null | head -n 40 |
  while IFS= read -r line; do say "cloud-init log $line"; done

# Regular users (uid 1000 to 59999): identity, sudo rules, SSH keys, password hash.
getent passwd | while IFS=: read -r name _ uid _ _ home _; do
  if [ "$uid" -lt 1000 ] || [ "$uid" -ge 60000 ]; then continue; fi
  say "user name=$name id=$(id "$name")"
  sudo -l -U "$name" | awk '/may run the following commands/ {on = 1; next} on && /^ / {sub(/^ +/, ""); print}' |
    while IFS= read -r rule; do say "user-sudo name=$name rule=$rule"; done
  if [ -f "$home/.ssh/authorized_keys" ]; then
    while IFS= read -r key; do say "user-key name=$name key=$key"; done <"$home/.ssh/authorized_keys"
  fi
  say "user-shadow name=$name hash=$(getent shadow "$name" | cut -d: -f2)"
done

for dev in /sys/class/net/*; do
  [ "${dev##*/}" = lo ] || say "nic name=${dev##*/} mac=$(cat "$dev/address")"
done
ip -4 -o addr show | awk '$2 != "lo" {print $2, $4}' |
  while read -r dev addr; do say "ipv4 dev=$dev addr=$addr"; done
ip -4 route show default | while IFS= read -r route; do say "route4 $route"; done
grep '^nameserver' /etc/resolv.conf 2>/dev/null | while read -r _ server; do say "nameserver=$server"; done

# Seconds since the kernel started, to see how long a boot to this point takes (under TCG).
say "uptime=$(cut -d ' ' -f 1 /proc/uptime)"
say "ready"
# fastvm.keep-running on the kernel command line: the test goes on with the running guest.
grep -qw fastvm.keep-running /proc/cmdline || systemctl poweroff --no-block
