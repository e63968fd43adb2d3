#!/usr/bin/env bash
# The demo: loads the real blocks in ../shared/data when present, else a generated chain; makes
# (once) an analyst API key kept in HOME/demo-api-key (mode 0600); then serves the API in the
# foreground on http://127.0.0.1:8000 (Ctrl-C stops it; `chaintrail db stop` stops Neo4j).
set -euo pipefail
tagged=""
shared="${1:-../shared/data}"
bin="$(dirname "$0")/../.venv/bin"
if [ -d "$shared/bitcoin" ]; then
  echo "Loading the real mainnet blocks from $shared/bitcoin ..."
  prevouts=()
  for f in "$shared"/bitcoin/prevouts/*.jsonl; do prevouts+=(--prevouts "$f"); done
  "$bin/chaintrail" load bitcoin "${prevouts[@]}" "$shared"/bitcoin/blk/* "$shared"/bitcoin/raw/*.raw \
    "$shared"/bitcoin/tx/*
  if [ -d "$shared/labels" ]; then
    echo "Loading the attribution tags (GraphSense TagPacks, OFAC lists) from $shared/labels ..."
    "$bin/chaintrail" load tags "$shared/labels" > /dev/null
  fi
  if [ -d "$shared/ethereum/ethereum-etl/test_stream" ]; then
    echo "Loading the Ethereum sample (ethereum-etl exports) from $shared/ethereum/ethereum-etl/test_stream ..."
    "$bin/chaintrail" load ethereum "$shared/ethereum/ethereum-etl/test_stream" > /dev/null
    eth="  .venv/bin/chaintrail query lookup/block --param chain=ethereum --param height=17173049 --format table"
  fi
  addr=12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S
  tagged="  .venv/bin/chaintrail query lookup/tags --param address=3HqA7i3ttECLvgqvq69HNxxUP5BL7Z5YgA"
  tx=f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16
else
  sample="$("$bin/python" -c 'from chaintrail.settings import Settings; print(Settings().home / "sample")')"
  if [ -s "$sample/truth.json" ]; then  # written by an earlier run: the same sample again
    echo "No ../shared/data here: using the sample chain in $sample ..."
  else
    echo "No ../shared/data here: generating a sample chain in $sample ..."
    "$bin/chaintrail" sample generate --txs 20000 --seed 1 --force "$sample"
  fi
  "$bin/chaintrail" load bitcoin "$sample"
  addr="$("$bin/python" -c 'import json,sys; t=json.load(open(sys.argv[1])); print(next(iter(t["entities"].values()))["addresses"][0])' "$sample/truth.json")"
  tx="$("$bin/python" -c 'import json,sys; t=json.load(open(sys.argv[1])); print(t["coinjoins"][0]["txid"])' "$sample/truth.json")"
fi
home="$("$bin/python" -c 'from chaintrail.settings import Settings; print(Settings().home)')"
keyfile="$home/demo-api-key"
key=""
if [ -s "$keyfile" ]; then  # reuse the key unless it is gone (db reset) or revoked
  key="$(cat "$keyfile")"
  id="$(cut -d_ -f2 <<<"$key")"
  "$bin/chaintrail" apikey list --format json | "$bin/python" -c '
import json, sys
live = {r["id"] for r in map(json.loads, sys.stdin) if r["revoked_at"] is None}
sys.exit(0 if sys.argv[1] in live else 1)' "$id" || key=""
fi
if [ -z "$key" ]; then
  mkdir -p "$home"
  (umask 077; "$bin/chaintrail" apikey create --role analyst --name demo > "$keyfile.new")
  mv "$keyfile.new" "$keyfile"
  key="$(cat "$keyfile")"
fi
chmod 600 "$keyfile"

cat <<MSG

chaintrail is up. Neo4j: $("$bin/chaintrail" db status 2>/dev/null | head -n 1)
Try:
  .venv/bin/chaintrail query --list
  .venv/bin/chaintrail query lookup/block --param height=170 --format table
  .venv/bin/chaintrail query lookup/transaction --param txid=$tx
  .venv/bin/chaintrail query lookup/address --param address=$addr
  .venv/bin/chaintrail query cluster/of_address --param address=$addr
  .venv/bin/chaintrail query cluster/largest --format table
  .venv/bin/chaintrail query cluster/stats
  .venv/bin/chaintrail trace forward $addr --max-hops 3 --format table
${tagged:-}
${eth:-}

The GraphQL API starts now on http://127.0.0.1:8000 (Ctrl-C stops it).
GraphiQL, in a browser: http://127.0.0.1:8000/graphql -- add the header
  {"Authorization": "Bearer <the analyst key in $keyfile>"}
From a shell:
  curl -s http://127.0.0.1:8000/graphql -H "Authorization: Bearer \$(cat $keyfile)" \\
    -H 'Content-Type: application/json' \\
    -d '{"query": "{ address(address: \\"$addr\\") { ... on Address { balanceBtc cluster { id size } tags { label } } } }"}'
More keys: .venv/bin/chaintrail apikey create --role analyst --name NAME (see docs/security.md)
Stop Neo4j afterwards with: .venv/bin/chaintrail db stop
MSG
exec "$bin/chaintrail" serve
