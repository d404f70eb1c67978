#!/usr/bin/env bash
# Entrypoint of the router image built by hacking/build_router_image.sh; the same contract as the launch
# script of Skupper's router image:
#   QDROUTERD_CONF        the configuration: a JSON/conf text (when it holds "{"), or files and folders
#                         (of *.conf files) separated by ":" or ","
#   QDROUTERD_CONF_TYPE   json or conf (default conf): the suffix of the file written
# The configuration is written to /tmp/skrouterd.<type> with ${NAME} references to the environment
# expanded (Skupper's container sites write ${SSL_PROFILE_BASE_PATH} into their sslProfiles), then
# skrouterd runs with it in the foreground (exec: it receives the engine's signals).
set -euo pipefail

HOSTNAME_IP_ADDRESS="$(hostname -i 2>/dev/null || true)"
export HOSTNAME_IP_ADDRESS
config="/tmp/skrouterd.${QDROUTERD_CONF_TYPE:-conf}"
source="${QDROUTERD_CONF:-}"

if [[ "$source" == *"{"* ]]; then
    printf '%s\n' "$source" >"$config"
elif [ -n "$source" ]; then
    : >"$config"
    IFS=':,' read -r -a parts <<<"$source"
    for part in "${parts[@]}"; do
        if [ -d "$part" ]; then
            for file in "$part"/*.conf; do
                [ -f "$file" ] && cat "$file" >>"$config"
            done
        elif [ -f "$part" ]; then
            cat "$part" >>"$config"
        else
            echo "launch.sh: no such file or directory: $part" >&2
        fi
    done
fi

args=()
if [ -f "$config" ]; then
    python3 -c 'import os, sys
path = sys.argv[1]
with open(path) as f:
    text = os.path.expandvars(f.read())
with open(path, "w") as f:
    f.write(text)' "$config"
    args=(-c "$config")
fi
exec skrouterd "${args[@]}"
