#!/bin/sh
# As the official registry image: a config file as the first argument means `registry serve FILE`;
# a subcommand or an option means `registry ...`.
set -e

case $1 in
  *.yaml | *.yml) set -- registry serve "$@" ;;
  serve | garbage-collect | help | -*) set -- registry "$@" ;;
esac

exec "$@"
