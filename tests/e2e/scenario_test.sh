#!/usr/bin/env bash
# The Ulanqab 2023 scenario, the full year on all 11 counties (COUNTIES=N:
# the N largest, the source's figures scaled), against the
# four real service binaries on a throw-away Postgres, then its report
# checked against the services: each figure of the report's CSV is asked
# again here with touyanctl's generic commands (lists paged to the end), a
# second path to the same data; the report alone (--report-only) reads the
# same figures again. Also the national-scale scenario at 2,000 villages.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
ctl="$TOUYAN_ROOT/build/tools/touyanctl"
counties=${COUNTIES:-11}

private_suite scenario
export TOKEN_SIGNING_KEY_FILE="$state/issuer.key"
start_every_service "$state"
export TOUYAN_TOKEN=$("$ctl" token --role=city_org_dept --scope=150900000000)
"$ctl" regions import "$TOUYAN_ROOT/data/ulanqab_regions.csv" > /dev/null

run() { "$ctl" scenario ulanqab-2023 --regions="$TOUYAN_ROOT/data/ulanqab_regions.csv" --counties="$counties" --report-dir="$state" --threads=8; }
run > "$state/first.txt" 2> "$state/progress.txt" || { cat "$state/first.txt"; tail -5 "$state/progress.txt"; fail "the scenario failed"; }
report="$state/ulanqab-2023-report.csv"
[ -s "$report" ] && [ -s "$state/ulanqab-2023-report.md" ] || fail "no report written"
grep -q "^\[touyan\] training: enrolments" "$state/progress.txt" || fail "no progress shown"
cat "$state/first.txt"
# figure NAME → the Touyan column of the report (commas removed).
figure() {
  python3 - "$report" "$1" <<'PY'
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    if row["figure"].strip() == sys.argv[2].strip():
        print(row["touyan"].replace(",", "")); break
else:
    sys.exit("no figure " + sys.argv[2])
PY
}
checked=$(python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(sum(x['checked']=='yes' for x in r), sum(x['matches']=='no' for x in r))" "$report")
[ "${checked#* }" = 0 ] || fail "the report has figures that differ: $(grep ',no$' "$report")"
count() { "$ctl" "$@" --all --output=json | wc -l; }
expect() {  # expect FIGURE VALUE
  got=$(figure "$1")
  [ "$got" = "$2" ] || fail "report says '$1' = $got, the services say $2"
  echo "ok  $1 = $2"
}
city=150900000000
expect "基层党组织书记 (all fields)" "$(count personnel ListSecretaries --region_code=$city)"
expect "乡村振兴担当作为好支书 confirmed" \
  "$(count personnel ListGoodSecretaries --year=2023 --region_code=$city --status=CONFIRMED)"
expect "secretaries adjusted during the year (动态调整)" \
  "$("$ctl" personnel CountAdjustments --year=2023 --region_code=$city --output=json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("total", 0))')"
expect "secretaries assessed (差异化考核)" "$(count incentive ListAssessments --year=2023 --region_code=$city)"
expect "care awards paid (关爱计划, 1万元 each)" "$(count incentive ListAwards --year=2023 --region_code=$city)"
seeds=$(count personnel ListSeeds --region_code=$city --stage=APPROVED)
[ "$(figure "approved reserve seeds")" = "$seeds" ] || fail "approved seeds differ"
villages=$(count personnel ListPartyOrgs --region_code=$city --party_org_kind=VILLAGE 2>/dev/null || true)
stats=$("$ctl" training GetStatistics --year=2023 --region_code=$city --output=json)
tier() { echo "$stats" | python3 -c "
import json,sys
for r in json.load(sys.stdin)['rows']:
    if r.get('tier')=='$1' and not r.get('county_code') and r.get('trainee_kind','TRAINEE_KIND_UNSPECIFIED')=='$2':
        print(r.get('$3', 0)); break
else: print(0)"; }
expect "city demonstration classes (市级专题示范培训班)" "$(tier TIER_CITY TRAINEE_KIND_UNSPECIFIED classes)"
expect "county classes (旗县专题培训期次)" "$(tier TIER_COUNTY TRAINEE_KIND_UNSPECIFIED classes)"
expect "  trainees: village cadres, work-team cadres, farmers and herders" \
  "$(tier TIER_COUNTY TRAINEE_KIND_UNSPECIFIED trainees)"
promo=$("$ctl" incentive PromotionReport --year=2023 --region_code=$city --output=json)
chan() { echo "$promo" | python3 -c "
import json,sys
print(next((c.get('promotions',0) for c in json.load(sys.stdin)['totals'] if c['channel']=='$1'), 0))"; }
expect "promoted to township leadership (苏木乡镇副职)" "$(chan CHANNEL_TOWNSHIP_DEPUTY)"
expect "recruited as township civil servants (定向招录公务员)" "$(chan CHANNEL_CIVIL_SERVICE)"
expect "recruited to public-institution posts (专项招聘事业编制)" "$(chan CHANNEL_PUBLIC_INSTITUTION)"
cov=$("$ctl" training GetCoverage --year=2023 --theme=乡村振兴 --region_code=$city --output=json)
echo "$cov" | python3 -c "import json,sys; c=json.load(sys.stdin); sys.exit(0 if int(c.get('missing',0))==0 and int(c['secretaries'])>0 else 1)" \
  || fail "coverage of village secretaries is not 100%: $cov"
echo "ok  coverage 100%"

# No personal data in the services' logs: calls that fail with distinctive
# people in them (a bad resident ID, a second registration, a cadre enrolled
# as a secretary who is none, a trainee from outside the class's region),
# then every log line the four services wrote searched for every name,
# resident ID and phone number they hold: none may appear.
rid() { python3 -c "
import sys; b=sys.argv[1]; w=[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]
print(b + '10X98765432'[sum(int(c)*x for c,x in zip(b,w)) % 11])" "$1"; }
good=$(rid 15090219770421987)
"$ctl" personnel CreateCadre --cadre.name=鲁智深测 --cadre.resident_id=150902197704219871 --cadre.phone=13798765432 \
  --cadre.region_code=150902001001 --cadre.ethnicity=汉族 --cadre.education=BACHELOR --cadre.establishment=NONE --cadre.origin=VETERAN --cadre.gender=MALE >/dev/null 2>&1 || true
"$ctl" personnel CreateCadre --cadre.name=林冲测试 --cadre.resident_id="$good" --cadre.phone=13712344321 \
  --cadre.region_code=150902001001 --cadre.ethnicity=汉族 --cadre.education=BACHELOR --cadre.establishment=NONE --cadre.origin=VETERAN --output=json > "$state/pii-cadre.json" || fail "the distinctive cadre was not created"
"$ctl" personnel CreateCadre --cadre.name=林冲测试 --cadre.resident_id="$good" --cadre.phone=13712344321 \
  --cadre.region_code=150902001001 --cadre.ethnicity=汉族 --cadre.education=BACHELOR --cadre.establishment=NONE --cadre.origin=VETERAN >/dev/null 2>&1 && fail "a second registration of one resident ID was accepted"
cadre=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$state/pii-cadre.json")
class=$("$ctl" training ListClasses --region_code=$city --tier=TIER_COUNTY --page_size=1 --output=json | python3 -c "import json,sys; c=json.loads(sys.stdin.readline()); print(c['id'], c['region_code'])")
far=150929100001; [[ "${class#* }" == 150929* ]] && far=150902001001
"$ctl" training Enrol --class_id="${class% *}" --trainee.kind=VILLAGE_SECRETARY --trainee.cadre_id="$cadre" >/dev/null 2>"$state/pii-err1.txt" \
  && fail "a cadre without a secretary post was enrolled as a secretary"
"$ctl" training Enrol --class_id="${class% *}" --trainee.kind=FARMER_HERDER --trainee.name=武松打虎测 --trainee.region_code=$far >/dev/null 2>"$state/pii-err2.txt" \
  && fail "a trainee from outside the class's region was enrolled"
grep -q "鲁智深测\|林冲测试\|武松打虎测" "$state"/pii-err*.txt && fail "an error message names a person: $(cat "$state"/pii-err*.txt)"
"$ctl" personnel ListCadres --region_code=$city --all --output=json | python3 -c "
import json, sys
for line in sys.stdin:
    c = json.loads(line)
    for k in ('name', 'resident_id', 'phone'):
        v = c.get(k, '')
        if len(v) >= 2 and '*' not in v: print(v)" > "$state/pii-values.txt"
printf '%s\n' 鲁智深测 150902197704219871 13798765432 武松打虎测 >> "$state/pii-values.txt"
n=$(wc -l < "$state/pii-values.txt")
[ "$n" -gt 100 ] || fail "only $n personal values to search for"
lines=$(cat "$state"/log/*.log | wc -l)
if hits=$(grep -F -f "$state/pii-values.txt" "$state"/log/*.log); then
  fail "personal data in the services' logs: $(echo "$hits" | head -3)"
fi
echo "ok  none of $n names, resident IDs and phone numbers in $lines log lines"

# The report alone, asked again of the services: the same figures.
cp "$report" "$state/first.csv"
"$ctl" scenario ulanqab-2023 --regions="$TOUYAN_ROOT/data/ulanqab_regions.csv" --counties="$counties" --report-dir="$state" --report-only > "$state/second.txt" \
  2> "$state/progress2.txt" || { tail -5 "$state/progress2.txt"; fail "the report alone failed"; }
diff "$state/first.csv" "$report" || fail "the report read again differs"
echo "ok  the report read again from the services is the same"

# National scale, small.
"$ctl" scenario scale --villages=2000 --threads=4 > "$state/scale.txt" 2> "$state/scale-progress.txt" \
  || { tail -20 "$state/scale-progress.txt"; fail "the scale scenario failed"; }
cat "$state/scale.txt"
grep -q "2,000 secretaries" "$state/scale.txt" || fail "the scale scenario did not import 2,000 secretaries"
grep -q "2,000 assessed" "$state/scale.txt" || fail "the scale scenario did not assess 2,000 secretaries"
grep -Eq "reads: every list .* [1-9][0-9]* of [0-9]+ answered" "$state/scale.txt" || fail "the scale scenario's reads were not answered"
echo "1 passed, 0 failed"
