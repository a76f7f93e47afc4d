#!/usr/bin/env bash
# The README's personnel examples, runnable against `scripts/run.sh`:
#   scripts/run.sh --detach && docs/examples.sh
# Each step prints its JSON answer; the script stops at the first failure.
# The e2e tests run it against their own server by setting
# TOUYAN_PERSONNEL_ADDR, TOKEN_SIGNING_KEY_FILE and TOUYANCTL.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TOUYAN_PERSONNEL_ADDR:-}" ]; then set -a; . .local/endpoints.env; set +a; fi
ctl=${TOUYANCTL:-build/tools/touyanctl}
key=${TOKEN_SIGNING_KEY_FILE:-.local/token.key}
city=$($ctl token --role=city_org_dept --scope=150900000000 --subject=city-demo --token-signing-key-file=$key)
county=$($ctl token --role=county_operator --scope=150929000000 --subject=siziwang-demo --token-signing-key-file=$key)
township=$($ctl token --role=township_operator --scope=150929101000 --subject=jishengtai-demo --token-signing-key-file=$key)
run=$(date +%s)   # request ids must be new on each run
step() { printf '\n\033[1m# %s\033[0m\n' "$1" >&2; }
field() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\1/"; }

step "A village secretary and a successor, in 吉生太镇's 150929101201"
person() {  # person SEQ: a valid resident ID for someone born 1980-01-01
  local first17="15092919800101$(printf %03d "$1")"
  local w=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) sum=0 i
  for i in $(seq 0 16); do sum=$((sum + ${first17:$i:1} * ${w[$i]})); done
  local checks=(1 0 X 9 8 7 6 5 4 3 2)
  echo "${first17}${checks[$((sum % 11))]}"
}
cadre() {
  TOUYAN_TOKEN=$county $ctl call CreateCadre "{\"request_id\":\"ex-$run-cadre-$1\",\"cadre\":{\"region_code\":\"150929101201\",
    \"resident_id\":\"$(person "$1")\",\"name\":\"$2\",\"ethnicity\":\"蒙古族\",\"party_member\":true,
    \"education\":\"EDUCATION_BACHELOR\",\"establishment\":\"ESTABLISHMENT_STATUS_NONE\",\"origin\":\"ORIGIN_VETERAN\"}}"
}
seq_a=$((run % 250)); seq_b=$((seq_a + 250))   # sequence numbers stay below 1000
a=$(cadre $seq_a 巴特尔 | field id); b=$(cadre $seq_b 其其格 | field id)
org=$(TOUYAN_TOKEN=$county $ctl call ListPartyOrgs '{"region_code":"150929101201"}' | field id)
echo "cadres $a $b, organisation $org"

step "Appointment history: appoint, then replace the secretary (动态调整)"
TOUYAN_TOKEN=$county $ctl call CreatePosition "{\"request_id\":\"ex-$run-pos\",\"position\":{\"cadre_id\":\"$a\",
  \"party_org_id\":\"$org\",\"kind\":\"POSITION_KIND_DUAL_ROLE\",\"term_start\":{\"year\":2021,\"month\":1,\"day\":15}}}"
TOUYAN_TOKEN=$county $ctl call ReplaceSecretary "{\"request_id\":\"ex-$run-replace\",\"party_org_id\":\"$org\",
  \"new_cadre_id\":\"$b\",\"effective_on\":{\"year\":2023,\"month\":6,\"day\":1},\"note\":\"换届调整\"}"
TOUYAN_TOKEN=$city $ctl call CountAdjustments '{"year":2023}'
TOUYAN_TOKEN=$county $ctl call ListPositions "{\"party_org_id\":\"$org\"}"

step "Designations: a rectification target with an instructor, closed out"
d=$(TOUYAN_TOKEN=$county $ctl call AddDesignation "{\"request_id\":\"ex-$run-des\",\"designation\":{\"party_org_id\":\"$org\",
  \"kind\":\"DESIGNATION_KIND_RECTIFICATION_TARGET\",\"year\":2023,\"source\":\"county-decision/ex-$run\"}}" | field id)
TOUYAN_TOKEN=$county $ctl call AssignInstructor "{\"request_id\":\"ex-$run-instr\",\"id\":\"$d\",\"instructor\":\"王指导\",
  \"rectification_deadline\":{\"year\":2023,\"month\":12,\"day\":31}}"
TOUYAN_TOKEN=$county $ctl call CloseRectification "{\"request_id\":\"ex-$run-close\",\"id\":\"$d\",
  \"closed_on\":{\"year\":2023,\"month\":11,\"day\":30},\"result\":\"整顿达标\"}"

step "Precise profile: five evaluations, the profile, the candidate search"
for c in POLITICAL_STANCE CAPABILITY POLICY_EXECUTION PERFORMANCE SATISFACTION; do
  TOUYAN_TOKEN=$county $ctl call RecordEvaluation "{\"request_id\":\"ex-$run-eval-$c\",\"evaluation\":{\"cadre_id\":\"$b\",
    \"criterion\":\"CRITERION_$c\",\"score\":88,\"evaluator\":\"旗委组织部\",\"evaluated_on\":{\"year\":2023,\"month\":9,\"day\":1}}}" >/dev/null
done
TOUYAN_TOKEN=$county $ctl call GetProfile "{\"cadre_id\":\"$b\",\"year\":2023}"
TOUYAN_TOKEN=$county $ctl call SearchCadres '{"region_code":"150929000000","max_age":49,"min_education":"EDUCATION_JUNIOR_COLLEGE","all_conditions_met":true,"profile_year":2023}'

step "Good-secretary selection: a round, a county nomination, the city's confirmation"
TOUYAN_TOKEN=$city $ctl call CreateSelectionRound "{\"request_id\":\"ex-$run-round\",\"round\":{\"year\":2023,
  \"region_code\":\"150900000000\",\"total_quota\":100,\"quotas\":[{\"county_code\":\"150929\",\"quota\":12}]}}" \
  || echo "(the 2023 round exists already)"
n=$(TOUYAN_TOKEN=$county $ctl call NominateGoodSecretary "{\"request_id\":\"ex-$run-nom\",\"round_id\":\"150900-2023\",
  \"cadre_id\":\"$b\",\"reason\":\"带头发展集体经济\"}" | field id)
TOUYAN_TOKEN=$city $ctl call ConfirmGoodSecretary "{\"request_id\":\"ex-$run-confirm\",\"id\":\"$n\"}"
TOUYAN_TOKEN=$city $ctl call ListGoodSecretaries '{"year":2023,"status":"NOMINATION_STATUS_CONFIRMED"}'

step "Seed pipeline: the township records the village's recommendation and selects; the county examines"
s=$(TOUYAN_TOKEN=$township $ctl call NominateSeed "{\"request_id\":\"ex-$run-seed\",\"seed\":{\"strengths\":\"返乡创业\",
  \"person\":{\"region_code\":\"150929101201\",\"resident_id\":\"$(person $((seq_a + 500)))\",\"name\":\"乌云\",
  \"ethnicity\":\"蒙古族\",\"education\":\"EDUCATION_JUNIOR_COLLEGE\",\"establishment\":\"ESTABLISHMENT_STATUS_NONE\",
  \"origin\":\"ORIGIN_RETURNING_MIGRANT\"}}}" | field id)
TOUYAN_TOKEN=$township $ctl call SelectSeed "{\"request_id\":\"ex-$run-select\",\"id\":\"$s\",\"selected\":true}" >/dev/null
TOUYAN_TOKEN=$township $ctl call ExamineSeed "{\"request_id\":\"ex-$run-exa-t\",\"id\":\"$s\",\"approved\":true}" \
  || echo "(refused, as it should be: the county examines)"
TOUYAN_TOKEN=$county $ctl call ExamineSeed "{\"request_id\":\"ex-$run-exa\",\"id\":\"$s\",\"approved\":true}"
TOUYAN_TOKEN=$county $ctl call SeedCoverage '{"region_code":"150929101000","page_size":3}'

step "Returnee recruitment, and appointing the approved seed to the village committee"
TOUYAN_TOKEN=$county $ctl call CreateReturnee "{\"request_id\":\"ex-$run-ret\",\"returnee\":{\"note\":\"退役军人\",
  \"person\":{\"region_code\":\"150929101201\",\"resident_id\":\"$(person $((seq_a + 750)))\",\"name\":\"张军\",
  \"ethnicity\":\"汉族\",\"education\":\"EDUCATION_SENIOR_SECONDARY\",\"establishment\":\"ESTABLISHMENT_STATUS_NONE\",
  \"origin\":\"ORIGIN_VETERAN\"}}}"
TOUYAN_TOKEN=$county $ctl call Appoint "{\"request_id\":\"ex-$run-appoint\",\"seed_id\":\"$s\",\"party_org_id\":\"$org\",
  \"kind\":\"POSITION_KIND_COMMITTEE_MEMBER\",\"term_start\":{\"year\":2023,\"month\":12,\"day\":1}}"
TOUYAN_TOKEN=$county $ctl call ReturneeStatistics '{}'
