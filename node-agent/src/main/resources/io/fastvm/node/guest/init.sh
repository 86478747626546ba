#!/bin/busybox sh
# fastvm guest: a busybox initramfs that reports what it sees on the serial line as
# "FASTVM-GUEST key=value" lines, then serves and waits as its settings say. Settings come
# first in the generated /init (GUEST_* variables); this text follows them.
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
exec </dev/console >/dev/console 2>&1

say() { echo "FASTVM-GUEST $*"; }

for m in $(cat /etc/modules.order 2>/dev/null); do
  insmod "/lib/modules/$m" 2>/dev/null
done
# Wait for the devices instead of pausing: insmod returns once its driver's (async) probes are
# done, so what is left is checked, with a deadline. Every virtio NIC, disk and SCSI controller
# must have its driver, and what the kernel command line says to expect must be there:
# fastvm.expect=vd:2,sd:1,sr:3,net:2 (block devices by name prefix, NICs but lo).
count_of() {
  case "$1" in
    net) ls /sys/class/net | grep -cvx lo ;;
    *) ls -d /sys/block/"$1"* 2>/dev/null | grep -c . ;;
  esac
}
missing_devices() {
  for v in /sys/bus/virtio/devices/*; do
    [ -e "$v/device" ] || continue
    case "$(cat "$v/device")" in
      0x0001|0x0002|0x0008) [ -e "$v/driver" ] || echo "driver-of-${v##*/}" ;;
    esac
  done
  expect=$(sed -n 's/.*fastvm\.expect=\([^ ]*\).*/\1/p' /proc/cmdline)
  for item in $(echo "$expect" | tr , ' '); do
    kind=${item%%:*}
    want=${item#*:}
    have=$(count_of "$kind")
    [ "$have" -ge "$want" ] || echo "$kind:$have/$want"
  done
}
settle_deadline=$(( $(date +%s) + 60 ))
while :; do
  missing=$(missing_devices)
  [ -z "$missing" ] && break
  if [ "$(date +%s)" -ge "$settle_deadline" ]; then
    say "settle timed out; missing: $(echo $missing)"
    break
  fi
  usleep 50000
done

say "boot kernel=$(uname -r)"
say "cmdline $(cat /proc/cmdline)"
say "cpus=$(grep -c ^processor /proc/cpuinfo)"
say "memtotal_kib=$(awk '/MemTotal/ {print $2}' /proc/meminfo)"

if [ -d /sys/firmware/efi ]; then
  say "firmware=uefi"
  mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
  sb=/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c
  if [ -f "$sb" ]; then
    # 4 bytes of attributes, then the value; efivarfs files cannot seek, so read all 5.
    set -- $(od -An -tu1 -N5 "$sb")
    say "secureboot=$5"
  else
    say "secureboot=absent"
  fi
  dmesg | grep -qi 'secure boot enabled' && say "kernel-secureboot=enabled"
  if [ "$GUEST_EFIVAR" = yes ]; then
    # A variable of the guest's own, written on the first boot with a given variable store and
    # read on the next ones: proof that the store outlives a boot. efivarfs makes such variables
    # immutable once they exist (and busybox has no chattr), so it is written only once.
    var=/sys/firmware/efi/efivars/FastvmTest-6f2b3c1e-8a4d-4e5f-9b0a-1c2d3e4f5a6b
    if [ -f "$var" ]; then
      say "efivar=$(cat "$var" | tail -c +5)"
    else
      say "efivar=absent"
      value=$(cat /proc/sys/kernel/random/uuid)
      # Attributes (non-volatile, boot and runtime access), then the value, in one write.
      printf '\007\000\000\000%s' "$value" > "$var" && say "efivar-written=$value"
    fi
  fi
else
  say "firmware=bios"
fi

bus_of() {
  case "$(readlink -f "$1")" in
    */ata*) echo sata ;;
    */virtio*/host*) echo scsi ;;
    */virtio*) echo virtio ;;
    *) echo other ;;
  esac
}

for b in /sys/block/*; do
  [ -e "$b/size" ] || continue
  d=${b##*/}
  case "$d" in loop*|ram*|zram*) continue ;; esac
  size=$(( $(cat "$b/size") * 512 ))
  serial=""
  [ -f "$b/serial" ] && serial=$(cat "$b/serial")
  if [ -z "$serial" ] && [ -f "$b/device/vpd_pg80" ]; then
    serial=$(dd if="$b/device/vpd_pg80" bs=1 skip=4 2>/dev/null | tr -d '\000 ')
  fi
  ro=$(cat "$b/ro")
  case "$d" in
    sr*)
      label=$(dd if="/dev/$d" bs=1 skip=32808 count=32 2>/dev/null | tr -d '\000' | sed 's/ *$//')
      say "cdrom name=$d bus=$(bus_of "$b/device") label=$label"
      ;;
    *)
      say "disk name=$d bus=$(bus_of "$b/device") size=$size serial=$serial ro=$ro"
      ;;
  esac
done

for n in /sys/class/net/*; do
  [ -e "$n/address" ] || continue
  i=${n##*/}
  [ "$i" = lo ] && continue
  drv=$(basename "$(readlink -f "$n/device/driver")")
  say "nic name=$i mac=$(cat "$n/address") driver=$drv"
done

# fastvm.mark=TEXT on the kernel command line: report the mark 1 MiB into the first virtio disk,
# then write TEXT there (tests of overlay clones: what one clone writes, the other and the base
# never see).
mark=$(sed -n 's/.*fastvm\.mark=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$mark" ] && [ -b /dev/vda ]; then
  before=$(dd if=/dev/vda bs=512 skip=2048 count=1 2>/dev/null | tr -d '\000' | head -c 64)
  printf '%s' "$mark" | dd of=/dev/vda bs=512 seek=2048 conv=sync,fsync 2>/dev/null
  say "diskmark before=$before written=$mark"
fi

if [ -c /dev/tpm0 ]; then
  # TPM2_ReadClock (tag 0x8001, size 10, code 0x181); resetCount is the big-endian word at
  # offset 26 of the answer. It grows with every boot on the same TPM state.
  exec 3<>/dev/tpm0
  printf '\200\001\000\000\000\012\000\000\001\201' >&3
  words=$(dd bs=64 count=1 <&3 2>/dev/null | od -An -tu1 -v | tr -s ' \n' '  ')
  exec 3>&-
  set -- $words
  if [ $# -ge 30 ]; then
    shift 26
    say "tpm=present resetCount=$(( ($1 << 24) | ($2 << 16) | ($3 << 8) | $4 ))"
  else
    say "tpm=present resetCount=unreadable answer=$words"
  fi
else
  say "tpm=absent"
fi

if [ -n "$GUEST_BANNER" ]; then
  for tty in /dev/tty1 /dev/tty0; do
    [ -c "$tty" ] || continue
    # Clear the screen and hide the cursor: the screen then shows the banner and nothing else.
    printf '\033[2J\033[H\033[?25l\n\n' > "$tty"
    echo "$GUEST_BANNER" > "$tty"
    break
  done
  say "banner shown"
fi

if [ "$GUEST_NETWORK" = dhcp ]; then
  for n in /sys/class/net/*; do
    i=${n##*/}
    [ "$i" = lo ] && continue
    ip link set "$i" up
    udhcpc -i "$i" -n -q -t 10 -T 1 -s /etc/udhcpc.script >/dev/null 2>&1 && break
  done
  ip link set lo up
  say "ip $(ip -4 -o addr show scope global | awk '{print $2, $4}' | tr '\n' ' ')"
fi

if [ -n "$GUEST_HTTP_PORT" ]; then
  mkdir -p /www
  {
    echo "<!doctype html><title>fastvm demo</title><h1>Hello from a fastvm VM</h1><pre>"
    echo "kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) vCPU,"
    echo "$(awk '/MemTotal/ {print $2}' /proc/meminfo) KiB of memory"
    ip -4 -o addr show scope global | awk '{print "address " $4 " on " $2}'
    echo "</pre>"
  } > /www/index.html
  httpd -p "$GUEST_HTTP_PORT" -h /www
  say "http port=$GUEST_HTTP_PORT"
fi

if [ "$GUEST_POWER_BUTTON" = acpi ]; then
  ev=""
  button_deadline=$(( $(date +%s) + 30 ))
  while [ -z "$ev" ] && [ "$(date +%s)" -lt "$button_deadline" ]; do
    for e in /sys/class/input/event*; do
      [ "$(cat "$e/device/name" 2>/dev/null)" = "Power Button" ] && ev=/dev/input/${e##*/} && break
    done
    [ -n "$ev" ] || usleep 50000
  done
  if [ -n "$ev" ]; then
    # Open the device before saying so: a press is queued from now on, not lost.
    exec 4<"$ev"
    say "power-button watching $ev"
    (
      # evdev reads whole events (24 bytes on x86_64); a shorter read fails at once.
      until dd bs=24 count=1 <&4 >/dev/null 2>&1; do sleep 1; done
      say "power-button pressed: powering off"
      sync
      poweroff -f
    ) &
  else
    say "power-button missing"
  fi
else
  say "power-button ignored"
fi

say ready

if [ "$GUEST_INTERACTIVE" = yes ]; then
  # A shell on the serial console (fastvm run's stdin and serial.sock viewers).
  while true; do setsid -c sh -l; done
fi
while true; do sleep 3600; done
