#!/bin/sh
# Runs a command with each systemd credential (LoadCredential=NAME:file) exported as the environment
# variable NAME, so sportello.yml's ${NAME} finds it; trailing newlines of the file are dropped.
# Never prints a secret; never runs the command through a shell (exec "$@": signals reach it directly).
set -eu
if [ -n "${CREDENTIALS_DIRECTORY:-}" ] && [ -d "$CREDENTIALS_DIRECTORY" ]; then
  for file in "$CREDENTIALS_DIRECTORY"/*; do
    [ -f "$file" ] || continue
    name=$(basename "$file")
    case $name in
      [A-Za-z_]*) ;;
      *) echo "with-credentials: skipping credential \"$name\": not a valid variable name" >&2; continue ;;
    esac
    case $name in
      *[!A-Za-z0-9_]*) echo "with-credentials: skipping credential \"$name\": not a valid variable name" >&2; continue ;;
    esac
    value=$(cat "$file")
    export "$name=$value"
  done
fi
exec "$@"
