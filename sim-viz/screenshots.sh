#!/usr/bin/env bash
# Render real frames of the floor view without a GPU and save screenshots.
#
#   bash sim-viz/screenshots.sh [--debug]
#
# Uses Xvfb (a virtual X server) and Mesa's software Vulkan driver (lavapipe);
# installs them with apt-get when missing (needs root or sudo). Writes PNGs to
# out/screenshots/ (git-ignored) and prints their paths. Release build by
# default (`--debug` uses the dev profile, which is already built by the tests).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${CARGO_TARGET_DIR:-target}
profile=(--release)
bin=$target/release
if [[ "${1:-}" == "--debug" ]]; then
    profile=()
    bin=$target/debug
fi

need=()
command -v xvfb-run >/dev/null || need+=(xvfb)
# lavapipe's ICD file, and the Vulkan loader
ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || need+=(mesa-vulkan-drivers)
ldconfig -p | grep -q 'libvulkan.so.1' || need+=(libvulkan1)
if ((${#need[@]})); then
    echo "installing: ${need[*]}" >&2
    sudo=()
    [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo build "${profile[@]}" -p sim-viz -p ccsim

out=out/screenshots
mkdir -p "$out"
# A recorded day to play back (one replication of the retail bank).
"$bin/ccsim" run scenarios/retail-bank.ron --record "$out/retail-bank.trace" -q >/dev/null

shot() { # name, then sim-viz arguments
    local name=$1
    shift
    echo "rendering $name ..." >&2
    xvfb-run -a -s "-screen 0 1280x800x24" env WGPU_BACKEND=vulkan \
        "$bin/sim-viz" "$@" --screenshot "$out/$name.png" 2> "$out/$name.log" ||
        { echo "failed: see $out/$name.log" >&2; exit 1; }
}

# The retail bank mid-morning, running at 60x: queues, callers in the IVR,
# desks in every phase.
shot retail-bank-morning scenarios/retail-bank.ron --start-at 1.75 --speed 60 --after-frames 60
# Late in the day at 1000x: the charts hold most of the day.
shot retail-bank-afternoon scenarios/retail-bank.ron --start-at 7.5 --speed 1000 --after-frames 60
# The two-line helpdesk, paused (the status line shows the last event).
shot helpdesk-paused scenarios/helpdesk-two-lines.ron --start-at 3.0 --paused --after-frames 30
# The benchmark floor: 500 agents, about 2,000 callers waiting, at 1000x.
shot overload-1000x --overload --start-at 3.0 --speed 1000 --after-frames 60
# Outbound: the predictive dialer's lines and the nuisance rate.
shot outbound-sales scenarios/outbound-sales.ron --start-at 2.0 --speed 60 --after-frames 60
# A recording played back (the top bar says playback).
shot playback "$out/retail-bank.trace" --start-at 2.5 --speed 60 --after-frames 60
# A classroom exercise: the dialog panel over the floor.
shot training scenarios/classroom-intro.ron --student Anna --after-frames 60

ls -1 "$out"/*.png
