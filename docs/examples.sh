#!/usr/bin/env bash
# The README's personnel, training, contest and incentive examples, runnable against `scripts/run.sh`:
#   scripts/run.sh --detach && docs/examples.sh
# Each step prints its JSON answer; the script stops at the first failure.
# The e2e tests run it against their own server by setting
# TOUYAN_<SERVICE>_ADDR for each service, TOKEN_SIGNING_KEY_FILE
# and TOUYANCTL.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TOUYAN_PERSONNEL_ADDR:-}" ]; then set -a; . .local/endpoints.env; set +a; fi
ctl=${TOUYANCTL:-build/tools/touyanctl}
key=${TOKEN_SIGNING_KEY_FILE:-.local/issuer.key}
city=$($ctl token --role=city_org_dept --scope=150900000000 --subject=city-demo --token-signing-key-file=$key)
county=$($ctl token --role=county_operator --scope=150929000000 --subject=siziwang-demo --token-signing-key-file=$key)
township=$($ctl token --role=township_operator --scope=150929101000 --subject=jishengtai-demo --token-signing-key-file=$key)
run=$(date +%s)   # request ids must be new on each run
step() { printf '\n\033[1m# %s\033[0m\n' "$1" >&2; }
field() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\1/"; }

step "A village secretary and a successor, in a village of 吉生太镇 (150929101) whose branch has no secretary yet"
# The first village without a current secretary, so that the examples can
# run again on the same database (each run appoints one).
village=""
for v in $(TOUYAN_TOKEN=$county $ctl call ListRegions '{"parent_code":"150929101000","page_size":100}' |
           grep -o '"code":"[0-9]*"' | cut -d'"' -f4); do
  o=$(TOUYAN_TOKEN=$county $ctl call ListPartyOrgs "{\"region_code\":\"$v\"}" | field id)
  if ! TOUYAN_TOKEN=$county $ctl call ListPositions "{\"party_org_id\":\"$o\",\"current_only\":true}" |
       grep -q '"kind":"POSITION_KIND_\(BRANCH_SECRETARY\|DUAL_ROLE\)"'; then
    village=$v; org=$o; break
  fi
done
[ -n "$village" ] || { echo "every village of 150929101 has a secretary by now: use a fresh database" >&2; exit 1; }
person() {  # person SEQ: a valid resident ID for someone born 1980-01-01
  local first17="15092919800101$(printf %03d "$1")"
  local w=(7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) sum=0 i
  for i in $(seq 0 16); do sum=$((sum + ${first17:$i:1} * ${w[$i]})); done
  local checks=(1 0 X 9 8 7 6 5 4 3 2)
  echo "${first17}${checks[$((sum % 11))]}"
}
cadre() {
  TOUYAN_TOKEN=$county $ctl call CreateCadre "{\"request_id\":\"ex-$run-cadre-$1\",\"cadre\":{\"region_code\":\"$village\",
    \"resident_id\":\"$(person "$1")\",\"name\":\"$2\",\"ethnicity\":\"蒙古族\",\"party_member\":true,
    \"education\":\"EDUCATION_BACHELOR\",\"establishment\":\"ESTABLISHMENT_STATUS_NONE\",\"origin\":\"ORIGIN_VETERAN\"}}"
}
seq_a=$((run % 250)); seq_b=$((seq_a + 250))   # sequence numbers stay below 1000
a=$(cadre $seq_a 巴特尔 | field id); b=$(cadre $seq_b 其其格 | field id)
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
  \"person\":{\"region_code\":\"$village\",\"resident_id\":\"$(person $((seq_a + 500)))\",\"name\":\"乌云\",
  \"ethnicity\":\"蒙古族\",\"education\":\"EDUCATION_JUNIOR_COLLEGE\",\"establishment\":\"ESTABLISHMENT_STATUS_NONE\",
  \"origin\":\"ORIGIN_RETURNING_MIGRANT\"}}}" | field id)
TOUYAN_TOKEN=$township $ctl call SelectSeed "{\"request_id\":\"ex-$run-select\",\"id\":\"$s\",\"selected\":true}" >/dev/null
TOUYAN_TOKEN=$township $ctl call ExamineSeed "{\"request_id\":\"ex-$run-exa-t\",\"id\":\"$s\",\"approved\":true}" \
  || echo "(refused, as it should be: the county examines)"
TOUYAN_TOKEN=$county $ctl call ExamineSeed "{\"request_id\":\"ex-$run-exa\",\"id\":\"$s\",\"approved\":true}"
TOUYAN_TOKEN=$county $ctl call SeedCoverage '{"region_code":"150929101000","page_size":3}'

step "Returnee recruitment, and appointing the approved seed to the village committee"
TOUYAN_TOKEN=$county $ctl call CreateReturnee "{\"request_id\":\"ex-$run-ret\",\"returnee\":{\"note\":\"退役军人\",
  \"person\":{\"region_code\":\"$village\",\"resident_id\":\"$(person $((seq_a + 750)))\",\"name\":\"张军\",
  \"ethnicity\":\"汉族\",\"education\":\"EDUCATION_SENIOR_SECONDARY\",\"establishment\":\"ESTABLISHMENT_STATUS_NONE\",
  \"origin\":\"ORIGIN_VETERAN\"}}}"
TOUYAN_TOKEN=$county $ctl call Appoint "{\"request_id\":\"ex-$run-appoint\",\"seed_id\":\"$s\",\"party_org_id\":\"$org\",
  \"kind\":\"POSITION_KIND_COMMITTEE_MEMBER\",\"term_start\":{\"year\":2023,\"month\":12,\"day\":1}}"
TOUYAN_TOKEN=$county $ctl call ReturneeStatistics '{}'

# ------------------------------------------------------------------ training
# Training calls go to $TOUYAN_TRAINING_ADDR; training asks personnel who is
# a secretary, with the caller's own token.

step "Training: a county class in three segments; the secretary enrolled; attendance makes completion"
cls=$(TOUYAN_TOKEN=$county $ctl call CreateClass "{\"request_id\":\"ex-$run-class\",\"training_class\":{
  \"tier\":\"TIER_COUNTY\",\"region_code\":\"150929000000\",\"title\":\"四子王旗村党组织书记乡村振兴专题培训班\",
  \"theme\":\"乡村振兴\",\"year\":2023,\"formats\":[\"FORMAT_LECTURE\",\"FORMAT_FIELD_VISIT\",\"FORMAT_SEMINAR\"],
  \"venue\":\"四子王旗委党校\",\"venue_kind\":\"VENUE_KIND_COUNTY_PARTY_SCHOOL\",\"capacity\":120,\"completion_min_percent\":60,
  \"segments\":[{\"title\":\"集中授课\",\"start_date\":{\"year\":2023,\"month\":4,\"day\":10}},
                {\"title\":\"学习观摩\",\"start_date\":{\"year\":2023,\"month\":5,\"day\":8}},
                {\"title\":\"研讨交流\",\"start_date\":{\"year\":2023,\"month\":6,\"day\":12}}]}}" | field id)
e=$(TOUYAN_TOKEN=$county $ctl call Enrol "{\"request_id\":\"ex-$run-enrol\",\"class_id\":\"$cls\",
  \"trainee\":{\"kind\":\"TRAINEE_KIND_VILLAGE_SECRETARY\",\"cadre_id\":\"$b\"}}" | field id)
TOUYAN_TOKEN=$county $ctl call Enrol "{\"request_id\":\"ex-$run-enrol-farmer\",\"class_id\":\"$cls\",
  \"trainee\":{\"kind\":\"TRAINEE_KIND_FARMER_HERDER\",\"name\":\"牧民那日苏\",\"region_code\":\"$village\"}}"
TOUYAN_TOKEN=$county $ctl call RecordAttendance "{\"request_id\":\"ex-$run-att1\",\"class_id\":\"$cls\",\"segment_number\":1,
  \"marks\":[{\"enrolment_id\":\"$e\",\"status\":\"ATTENDANCE_STATUS_PRESENT\"}]}"
TOUYAN_TOKEN=$county $ctl call RecordAttendance "{\"request_id\":\"ex-$run-att2\",\"class_id\":\"$cls\",\"segment_number\":2,
  \"marks\":[{\"enrolment_id\":\"$e\",\"status\":\"ATTENDANCE_STATUS_LATE\"}]}"

step "Coverage of the theme in 吉生太镇 (who is still missing, and the township that catches them), and statistics"
TOUYAN_TOKEN=$county $ctl call GetCoverage '{"year":2023,"theme":"乡村振兴","region_code":"150929101000"}'
TOUYAN_TOKEN=$county $ctl call ListUncovered '{"year":2023,"theme":"乡村振兴","region_code":"150929101000","page_size":5}'
TOUYAN_TOKEN=$county $ctl call GetStatistics '{"year":2023}'

step "A field visit to 察右后旗 and an expert's visit to the village"
TOUYAN_TOKEN=$county $ctl call CreateFieldVisit "{\"request_id\":\"ex-$run-visit\",\"field_visit\":{
  \"organiser_region_code\":\"150929000000\",\"title\":\"赴察右后旗学习观摩\",\"destination_region_code\":\"150928000000\",
  \"sites\":[\"望山民宿\",\"望山庭院\"],\"visit_date\":{\"year\":2023,\"month\":3,\"day\":15},\"participant_cadre_ids\":[\"$b\"]}}"
TOUYAN_TOKEN=$county $ctl call CreateExpertVisit "{\"request_id\":\"ex-$run-expert\",\"expert_visit\":{
  \"expert_name\":\"王研究员\",\"expert_kind\":\"EXPERT_KIND_TECH_COMMISSIONER\",\"expert_organisation\":\"内蒙古农业大学\",
  \"village_code\":\"$village\",\"visit_date\":{\"year\":2023,\"month\":5,\"day\":20},\"topic\":\"EXPERT_TOPIC_BREEDING\",
  \"subject\":\"肉羊高效养殖\",\"secretary_cadre_ids\":[\"$b\"]}}"

step "A practice task on the public board: published, frozen, progress rolled up"
task=$(TOUYAN_TOKEN=$county $ctl call CreatePracticeTask "{\"request_id\":\"ex-$run-task\",\"task\":{
  \"region_code\":\"150929000000\",\"title\":\"发展庭院经济\",\"year\":2023,\"unit\":\"户\",
  \"quotas\":[{\"village_code\":\"$village\",\"quantity\":20,\"responsible_name\":\"其其格\",\"responsible_cadre_id\":\"$b\"}]}}" | field id)
TOUYAN_TOKEN=$county $ctl call PublishPracticeTask "{\"request_id\":\"ex-$run-task-pub\",\"id\":\"$task\"}"
TOUYAN_TOKEN=$county $ctl call UpdatePracticeTask "{\"request_id\":\"ex-$run-task-edit\",\"task\":{\"id\":\"$task\",\"title\":\"改\"},
  \"update_mask\":\"title\"}" || echo "(refused, as it should be: a published task is superseded, not edited)"
TOUYAN_TOKEN=$township $ctl call ReportPracticeProgress "{\"request_id\":\"ex-$run-task-rep\",\"task_id\":\"$task\",
  \"village_code\":\"$village\",\"completed\":12,\"report_date\":{\"year\":2023,\"month\":9,\"day\":1},\"note\":\"已完成12户\"}"
TOUYAN_TOKEN=$city $ctl call GetPracticeTaskProgress "{\"task_id\":\"$task\"}"

# ------------------------------------------------------------------- contest
# Contest calls go to $TOUYAN_CONTEST_ADDR.

step "An arena contest (擂台比武): a round opened, the secretary's work report entered, a judge, scores"
contest=$(TOUYAN_TOKEN=$county $ctl call CreateContest "{\"request_id\":\"ex-$run-contest\",\"contest\":{
  \"level\":\"LEVEL_COUNTY\",\"region_code\":\"150929000000\",\"year\":2023,\"title\":\"四子王旗村党组织书记擂台比武\",
  \"fields\":[\"FIELD_VILLAGE\",\"FIELD_COMMUNITY\"]}}" | field id)
round=$(TOUYAN_TOKEN=$county $ctl call CreateRound "{\"request_id\":\"ex-$run-round\",\"round\":{\"contest_id\":\"$contest\",
  \"name\":\"县级决赛\",\"aggregation\":\"AGGREGATION_TRIMMED_MEAN\",\"advance_top_n\":1,
  \"star_bands\":[{\"stars\":5,\"top_share\":0.1},{\"stars\":3,\"top_share\":0.5}]}}" | field id)
TOUYAN_TOKEN=$county $ctl call AdvanceRound "{\"request_id\":\"ex-$run-open\",\"id\":\"$round\",\"to\":\"ROUND_STATE_OPEN\"}" >/dev/null
entry=$(TOUYAN_TOKEN=$county $ctl call CreateEntry "{\"request_id\":\"ex-$run-entry\",\"entry\":{\"round_id\":\"$round\",
  \"cadre_id\":\"$b\",\"report\":{\"title\":\"壮大集体经济的三年\",\"summary\":\"肉羊合作社带动120户\",
  \"materials\":[{\"kind\":\"MATERIAL_KIND_VIDEO\",\"uri\":\"https://files.example.gov.cn/v/qiqige.mp4\",
  \"media_type\":\"video/mp4\",\"byte_size\":73400320,
  \"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}]}}}" | field id)
TOUYAN_TOKEN=$county $ctl call AssignPanel "{\"request_id\":\"ex-$run-panel\",\"entry_id\":\"$entry\",\"panel\":\"A\"}" >/dev/null
judge=$(TOUYAN_TOKEN=$county $ctl call AddJudge "{\"request_id\":\"ex-$run-judge\",\"judge\":{\"round_id\":\"$round\",
  \"name\":\"评委王\",\"panel\":\"A\",\"region_code\":\"150929100000\"}}" | field id)
TOUYAN_TOKEN=$county $ctl call AdvanceRound "{\"request_id\":\"ex-$run-judging\",\"id\":\"$round\",\"to\":\"ROUND_STATE_JUDGING\"}" >/dev/null
for dim in rural_governance collective_economy practical_deeds; do
  TOUYAN_TOKEN=$county $ctl call SubmitScore "{\"request_id\":\"ex-$run-score-$dim\",\"round_id\":\"$round\",
    \"score\":{\"judge_id\":\"$judge\",\"entry_id\":\"$entry\",\"dimension\":\"$dim\",\"value\":88}}" >/dev/null
done
TOUYAN_TOKEN=$county $ctl call ListMissingScores "{\"round_id\":\"$round\"}"

step "Closing tabulates; a monitor and a counter sign the digest; publishing (亮晒比) makes the results public"
digest=$(TOUYAN_TOKEN=$county $ctl call AdvanceRound "{\"request_id\":\"ex-$run-close\",\"id\":\"$round\",
  \"to\":\"ROUND_STATE_CLOSED\"}" | sed -E 's/.*"results_digest":"([0-9a-f]*)".*/\1/')
TOUYAN_TOKEN=$county $ctl call AdvanceRound "{\"request_id\":\"ex-$run-pub0\",\"id\":\"$round\",\"to\":\"ROUND_STATE_PUBLISHED\"}" \
  || echo "(refused, as it should be: nobody has signed yet)"
for role in SIGNER_ROLE_MONITOR SIGNER_ROLE_COUNTER; do
  TOUYAN_TOKEN=$county $ctl call SignResults "{\"request_id\":\"ex-$run-$role\",\"sign_off\":{\"round_id\":\"$round\",
    \"role\":\"$role\",\"name\":\"$role-乌兰\",\"digest\":\"$digest\"}}" >/dev/null
done
TOUYAN_TOKEN=$county $ctl call AdvanceRound "{\"request_id\":\"ex-$run-pub\",\"id\":\"$round\",\"to\":\"ROUND_STATE_PUBLISHED\"}"
TOUYAN_TOKEN=$city $ctl call GetResults "{\"round_id\":\"$round\"}"

step "Incentive (差异化考核): the county's scheme; daily management and the annual review of the secretary (stars come from the contest)"
TOUYAN_TOKEN=$county $ctl call SetScheme "{\"request_id\":\"ex-$run-scheme\",\"scheme\":{\"county_code\":\"150929\",
  \"year\":2023,\"weights\":{\"daily_management\":30,\"contest\":25,\"stars\":10,\"annual_review\":20,\"democratic\":15},
  \"excellent_min\":90,\"competent_min\":75,\"basic_min\":60,\"training_share\":20,\"training_theme\":\"乡村振兴\"}}"
for input in DAILY_MANAGEMENT:88 ANNUAL_REVIEW:90; do
  TOUYAN_TOKEN=$county $ctl call RecordInput "{\"request_id\":\"ex-$run-in-${input%%:*}\",\"input\":{\"cadre_id\":\"$b\",
    \"year\":2023,\"kind\":\"INPUT_KIND_${input%%:*}\",\"value\":${input##*:},
    \"recorded_on\":{\"year\":2023,\"month\":11,\"day\":30}}}" >/dev/null
done

step "Democratic evaluation (民主评议): one-time voter codes, anonymous ballots, a code used twice refused"
ev=$(TOUYAN_TOKEN=$county $ctl call OpenEvaluation "{\"request_id\":\"ex-$run-eval\",\"evaluation\":{
  \"village_code\":\"$village\",\"year\":2023,\"meeting_date\":{\"year\":2023,\"month\":12,\"day\":5},
  \"cadre_ids\":[\"$b\"],\"electorate\":3}}" | field id)
codes=$(TOUYAN_TOKEN=$county $ctl call IssueVoterCodes "{\"evaluation_id\":\"$ev\",\"count\":3}" |
        grep -o '"codes":\[[^]]*\]' | grep -o '[2-9A-HJ-NP-Z]\{10\}')
for code in $codes; do
  TOUYAN_TOKEN=$township $ctl call CastBallot "{\"evaluation_id\":\"$ev\",\"voter_code\":\"$code\",
    \"choices\":[{\"cadre_id\":\"$b\",\"choice\":\"CHOICE_SATISFIED\"}]}"
done
TOUYAN_TOKEN=$township $ctl call CastBallot "{\"evaluation_id\":\"$ev\",\"voter_code\":\"${codes%% *}\",
  \"choices\":[{\"cadre_id\":\"$b\",\"choice\":\"CHOICE_DISSATISFIED\"}]}" || echo "(refused, as it should be: each code votes once)"
TOUYAN_TOKEN=$county $ctl call CloseEvaluation "{\"request_id\":\"ex-$run-eval-close\",\"id\":\"$ev\"}"

step "The county's assessment: every current secretary scored from the inputs, training, contest and votes"
TOUYAN_TOKEN=$county $ctl call ComputeAssessments "{\"request_id\":\"ex-$run-assess\",\"county_code\":\"150929\",\"year\":2023}"
TOUYAN_TOKEN=$county $ctl call GetAssessment "{\"cadre_id\":\"$b\",\"year\":2023}"

step "What the grades lead to: the county's proposals (Touyan's default policy), decided by an operator"
TOUYAN_TOKEN=$county $ctl call ProposeConsequences "{\"request_id\":\"ex-$run-propose\",\"county_code\":\"150929\",\"year\":2023}"
proposal=$(TOUYAN_TOKEN=$county $ctl call ListProposals "{\"cadre_id\":\"$b\",\"year\":2023,
  \"state\":\"PROPOSAL_STATE_PENDING\"}" | grep -o '"id":"[0-9]*-[0-9]*"' | head -1 | cut -d'"' -f4 || true)
if [ -n "$proposal" ]; then
  TOUYAN_TOKEN=$county $ctl call DecideProposal "{\"request_id\":\"ex-$run-decide\",\"id\":\"$proposal\",
    \"confirm\":false,\"reason\":\"新任职不满一年，暂不处理\"}"
fi

step "The care award (关爱计划): the city's budget, paid once to each confirmed good secretary, and the ledger"
TOUYAN_TOKEN=$city $ctl call SetBudget "{\"request_id\":\"ex-$run-budget\",\"budget\":{\"region_code\":\"150900000000\",
  \"year\":2023,\"programme\":\"PROGRAMME_CARE\",\"amount_fen\":100000000}}"
TOUYAN_TOKEN=$city $ctl call PayCareAwards "{\"request_id\":\"ex-$run-pay\",\"region_code\":\"150900000000\",\"year\":2023}"
TOUYAN_TOKEN=$city $ctl call PayCareAwards "{\"request_id\":\"ex-$run-pay-again\",\"region_code\":\"150900000000\",\"year\":2023}"
TOUYAN_TOKEN=$city $ctl call GetLedger '{"region_code":"150900000000","year":2023}'

step "Supervision, the promotion channels' conditions, care with restricted counselling notes, a delegate recommendation"
TOUYAN_TOKEN=$county $ctl call RaiseFlag "{\"request_id\":\"ex-$run-flag\",\"supervision_case\":{\"cadre_id\":\"$b\",
  \"kind\":\"FLAG_KIND_SLOW_ACTION\",\"reminder\":\"提醒：项目进度滞后，限期整改\",
  \"raised_on\":{\"year\":2023,\"month\":9,\"day\":1},\"rectify_by\":{\"year\":2023,\"month\":10,\"day\":1}}}"
TOUYAN_TOKEN=$county $ctl call ListCases '{"region_code":"150929000000","overdue_only":true,"page_size":5}'
TOUYAN_TOKEN=$county $ctl call GetPromotionPolicy '{"region_code":"150900000000","year":2023}'
TOUYAN_TOKEN=$county $ctl call ListPromotionCandidates '{"year":2023,"channel":"CHANNEL_TOWNSHIP_DEPUTY"}'
TOUYAN_TOKEN=$county $ctl call RecordPromotion "{\"request_id\":\"ex-$run-promo\",\"promotion\":{\"cadre_id\":\"$b\",
  \"channel\":\"CHANNEL_TOWNSHIP_DEPUTY\",\"year\":2023,\"post\":\"吉生太镇副镇长\",
  \"effective_on\":{\"year\":2023,\"month\":12,\"day\":1}}}" \
  || echo "(refused, as it should be: the secretary took office in June 2023)"
TOUYAN_TOKEN=$county $ctl call ListVacancies '{"region_code":"150929101000","page_size":2}'
TOUYAN_TOKEN=$city $ctl call PromotionReport '{"year":2023}'
TOUYAN_TOKEN=$county $ctl call RecordCare "{\"request_id\":\"ex-$run-care\",\"record\":{\"cadre_id\":\"$b\",
  \"kind\":\"CARE_KIND_COUNSELLING\",\"on\":{\"year\":2023,\"month\":12,\"day\":1},\"summary\":\"心理疏导\",
  \"notes\":\"工作压力大，建议减负\"}}" >/dev/null
auditor=$($ctl token --role=auditor --scope=150900000000 --subject=auditor-demo --token-signing-key-file=$key)
TOUYAN_TOKEN=$auditor $ctl call ListCare "{\"cadre_id\":\"$b\"}"
TOUYAN_TOKEN=$county $ctl call RecommendDelegate "{\"request_id\":\"ex-$run-delegate\",\"delegate\":{\"cadre_id\":\"$b\",
  \"body\":\"BODY_PEOPLES_CONGRESS\",\"congress_region_code\":\"150929000000\",\"year\":2023,\"reason\":\"群众基础好\"}}"

step "The change stream: the county's three oldest kept personnel changes, and incentive's oldest"
TOUYAN_TOKEN=$county $ctl watch personnel --region=150929000000 --from-oldest --count=3 2>/dev/null
TOUYAN_TOKEN=$county $ctl watch incentive --region=150929000000 --from-oldest --count=1 2>/dev/null

step "台账 exports: the class's roster, the round's results, the 2023 assessments, the care awards and the seeds as .xlsx"
out=$(mktemp -d)
TOUYAN_TOKEN=$county $ctl export training ExportClassRoster --class_id=$cls --out=$out/roster.xlsx
TOUYAN_TOKEN=$county $ctl export contest ExportResults --round_id=$round --out=$out/results.xlsx
TOUYAN_TOKEN=$county $ctl export incentive ExportAwards --year=2023 --out=$out/awards.xlsx
TOUYAN_TOKEN=$county $ctl export personnel ExportSeeds --region_code=150929101000 --out=$out/seeds.xlsx
TOUYAN_TOKEN=$county $ctl export incentive ExportAssessments --region_code=150929000000 --year=2023 \
  --out=$out/assessments.xlsx
ls -l $out/*.xlsx >&2
rm -rf "$out"

step "The public notice (公示) of the confirmed good secretaries, as a PDF"
TOUYAN_TOKEN=$city $ctl export personnel PrintGoodSecretaryNotice --year=2023 --notice_start=2023-12-20 \
  --contact="市委组织部干部科（0474-8888888）" --issuer="中共乌兰察布市委组织部" --out=$out-notice.pdf
pdftotext -enc UTF-8 $out-notice.pdf - | head -20
rm -f $out-notice.pdf
TOUYAN_TOKEN=$county $ctl export training PrintPracticeTaskNotice --region_code=150929000000 --year=2023 \
  --notice_start=2023-03-01 --contact="四子王旗委组织部（0474-5555555）" --issuer="中共四子王旗委组织部" \
  --out=$out-tasks.pdf
pdftotext -enc UTF-8 $out-tasks.pdf - | head -12
rm -f $out-tasks.pdf

step "Corrections from the version read (its etag): a segment moved, a stale etag refused, an organisation renamed and back, a class cancelled"
etag=$(TOUYAN_TOKEN=$county $ctl call GetClass "{\"id\":\"$cls\"}" | field etag)
move() {  # move REQUEST_ID ETAG: segment 3 of the class a week later
  TOUYAN_TOKEN=$county $ctl call RescheduleSegment "{\"request_id\":\"ex-$run-$1\",\"class_id\":\"$cls\",
    \"segment_number\":3,\"start_date\":{\"year\":2023,\"month\":6,\"day\":19},
    \"reason\":\"党校教室检修，顺延一周\",\"etag\":\"$2\"}"
}
move move "$etag" | grep -o '"segments":\[[^]]*\]'
move move-stale "$etag" || echo "(refused, as it should be: ABORTED ETAG_MISMATCH, the class changed since that etag was read)"
name=$(TOUYAN_TOKEN=$county $ctl call GetPartyOrg "{\"id\":\"$org\"}" | field name)
rename() {  # rename REQUEST_ID NAME: the organisation, from the version read now
  local etag=$(TOUYAN_TOKEN=$county $ctl call GetPartyOrg "{\"id\":\"$org\"}" | field etag)
  TOUYAN_TOKEN=$county $ctl call UpdatePartyOrg "{\"request_id\":\"ex-$run-$1\",\"party_org\":{\"id\":\"$org\",
    \"name\":\"$2\",\"etag\":\"$etag\"},\"update_mask\":\"name\"}"
}
rename rename "${name}（更正）"
rename rename-back "$name" >/dev/null
cls2=$(TOUYAN_TOKEN=$county $ctl call CreateClass "{\"request_id\":\"ex-$run-class2\",\"training_class\":{
  \"tier\":\"TIER_COUNTY\",\"region_code\":\"150929000000\",\"title\":\"四子王旗村党组织书记冬训班\",
  \"theme\":\"冬训\",\"year\":2023,\"formats\":[\"FORMAT_LECTURE\"],\"venue\":\"四子王旗委党校\",
  \"venue_kind\":\"VENUE_KIND_COUNTY_PARTY_SCHOOL\",\"capacity\":50,
  \"segments\":[{\"title\":\"集中授课\",\"start_date\":{\"year\":2023,\"month\":12,\"day\":18}}]}}" | field id)
TOUYAN_TOKEN=$county $ctl call Enrol "{\"request_id\":\"ex-$run-enrol2\",\"class_id\":\"$cls2\",
  \"trainee\":{\"kind\":\"TRAINEE_KIND_VILLAGE_SECRETARY\",\"cadre_id\":\"$b\"}}" >/dev/null
TOUYAN_TOKEN=$county $ctl call CancelClass "{\"request_id\":\"ex-$run-cancel\",\"id\":\"$cls2\",\"reason\":\"因故取消\"}"
TOUYAN_TOKEN=$county $ctl call ListEnrolments "{\"class_id\":\"$cls2\"}"
