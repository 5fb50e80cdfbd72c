#!/bin/sh
# debversion.sh VERSION prints a Debian package version for a `git describe`
# VERSION, which must start with a digit there: v1.2.3 gives 1.2.3,
# v1.2.3-4-gabc 1.2.3+4.gabc, an untagged abc123-dirty 0.0.0~git.abc123.dirty.
v=${1:-0.0.0-dev}
case "$v" in
v[0-9]* | [0-9]*.*)
	v=${v#v}
	echo "$v" | sed 's/-/+/; s/-/./g'
	;;
*)
	echo "0.0.0~git.$v" | sed 's/-/./g'
	;;
esac
