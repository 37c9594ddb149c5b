#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# cli.proxy_idle with 10,000 idle TLCP connections through one proxy (the
# proxy then needs 20,000 descriptors and more: the script raises the hard
# limit, or skips with 77 saying why).
TLCP_PROXY_IDLE=${TLCP_PROXY_IDLE:-10000} exec bash "$(dirname "$0")/proxy_idle.sh" "$@"
