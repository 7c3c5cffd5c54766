#!/bin/sh
# The image's entry point: the first argument picks the process, the rest are passed on to it.
# `exec` makes it PID 1, so `docker stop`'s SIGTERM reaches it directly (each one stops cleanly on it).
set -eu

usage() {
  cat <<'USAGE'
Usage: docker run [options] axnbot <command> [arguments]

Commands:
  slack-bot      the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP on $PORT)
  dingtalk-bot   the DingTalk bot (Stream mode; status on $PORT)
  emulator       the local dyplsapi emulator on $PORT, database /data/emulator.db
  axn ARGS…      any axn command (axn --help)

Configuration comes from the environment: see .env.example and the README's "Deploying".
USAGE
}

command="${1:-help}"
if [ "$#" -gt 0 ]; then shift; fi

case "$command" in
  slack-bot) exec node /app/slack-bot/dist/bin.js "$@" ;;
  dingtalk-bot) exec node /app/dingtalk-bot/dist/bin.js "$@" ;;
  emulator) exec node /app/cli/dist/bin.js emulator --host 0.0.0.0 --port "${PORT:-8787}" --db /data/emulator.db "$@" ;;
  axn) exec node /app/cli/dist/bin.js "$@" ;;
  help | --help | -h) usage ;;
  *)
    echo "axnbot: unknown command \"$command\"" >&2
    usage >&2
    exit 2
    ;;
esac
