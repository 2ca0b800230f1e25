"""Word-form phrases that name a skill without its name: "managed a team of 8" is people
management, "closed the books" is the month-end close, "bent conduit" is conduit bending.

Each rule maps a regular expression (case-insensitive, compiled once here) to one or more
canonical skills of the taxonomy. A phrase stays on one line, as taxonomy aliases do. The
taxonomy finds what a skill is called; these rules find what people did with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PhraseHit:
    """One phrase that names a skill: the canonical skill and where the text says it."""

    skill: str  # canonical name, must exist in the taxonomy
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class PhraseRule:
    skills: tuple[str, ...]
    pattern: re.Pattern[str]


_SP = r"[^\S\n]+"  # spaces within a line
_OSP = r"[^\S\n]*"  # no or some spaces within a line
# The endings of a verb stem ("manag" + "ed", "plan" + "ned"), never of its nouns ("manager").
_V = r"(?:e|es|ed|ing|s|d|y|ied|ies|ying|led|ling|ned|ning|ped|ping|ten)?"
# A number of people, things or places, in digits or words: "8", "12+", "five", "a dozen".
_NUM = (r"(?:\d[\d,]*\+?|a[^\S\n]+dozen|dozens[^\S\n]+of|one|two|three|four|five|six|seven|"
        r"eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
        r"nineteen|twenty|thirty|forty|fifty|sixty|hundreds[^\S\n]+of|several|multiple)")
_ABOUT = rf"(?:(?:over|more{_SP}than|nearly|almost|about|around|up{_SP}to|some|~){_SP})?"
_MONEY = rf"(?:[$€£]{_OSP}\d[\d.,]*{_OSP}(?:k|m|mm|b|bn|million|billion|thousand)?\+?)"
# One word in between a phrase's parts ("the", "monthly", "3-phase", "$1,200"): no commas.
_W = rf"(?:[\w$€£&/+'\u2019-]+(?:[.,]\d+)*{_SP})"
# A word in between that is not a preposition ("the ERP rollout", not "geometry on").
_NOT_PREP = rf"(?:(?!(?:on|in|for|with|at|across|to|from|of)\b){_W})"

_STAFF = (r"(?:staff|employees|people|nurses|engineers|developers|analysts|accountants|"
          r"technicians|techs|associates|agents|representatives|reps|recruiters|teachers|"
          r"paralegals|attorneys|electricians|welders|machinists|mechanics|drivers|workers|"
          r"specialists|managers|supervisors|apprentices|interns|designers|clerks|"
          r"operators|coordinators|consultants|members|auditors|pharmacists|therapists|"
          r"assistants|aides|installers|caregivers|scientists|researchers|tutors|instructors|"
          r"educators|officers|advisors|advisers|bookkeepers|buyers|planners|dispatchers|"
          r"pickers|packers|laborers|labourers|carpenters|plumbers|FTEs|contractors|volunteers)")
_TEAM = r"(?:team|teams|staff|crew|crews|department|squad|workforce)"
_GROUP = r"(?:team|teams|staff|group|crew|crews|department|unit|squad|workforce|organi[sz]ation)"
_MANAGE = (rf"(?:manag(?:e|ed|es|ing)|l(?:ed|ead|eads|eading)|supervis(?:e|ed|es|ing)|"
           rf"overs(?:aw|ee|ees|eeing)|direct(?:ed|s|ing)?|head(?:ed|s|ing)?|ran|run|runs|"
           rf"running|(?:built|grew){_SP}and{_SP}(?:led|managed))")
_MENTOR = r"(?:mentor(?:ed|s|ing)?|coach(?:ed|es|ing)?|precept(?:ed|s|ing)?)"
_PROCESS = r"(?:MIG|TIG|stick|flux[- ]?cored?|arc|pipe|GMAW|GTAW|SMAW|FCAW)"
_PREPARE = r"(?:prepar(?:e|ed|es|ing)|draft(?:ed|s|ing)?|wr(?:ote|ite|ites|iting|itten))"
_FILE = r"(?:fil(?:e|ed|es|ing))"
_LEGAL_PAPERS = (r"(?:motions?|pleadings?|briefs?|complaints?|petitions?|answers|responses|"
                 r"subpoenas|summons|exhibits|appeals?)")
_COURT_PAPERS = r"(?:motions?|pleadings?|briefs?|petitions?|appeals?|summons|subpoenas)"

# (skills, pattern): the first skill is what the phrase most directly says.
_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    # --- management -------------------------------------------------------------------
    (("People management",),  # "managed a team of 8", "led a team of five engineers"
     rf"\b{_MANAGE}{_SP}(?:a{_SP}|an{_SP}|the{_SP}|my{_SP})?{_W}{{0,2}}{_GROUP}{_SP}"
     rf"of{_SP}{_ABOUT}{_NUM}\b"),
    (("People management",),  # "led a five-person audit team", "ran a 12-member crew"
     rf"\b{_MANAGE}{_SP}(?:a{_SP}|an{_SP}|the{_SP})?{_NUM}[- ]?(?:person|people|member|strong|"
     rf"man|woman|nurse|engineer)?{_OSP}{_W}{{0,2}}{_TEAM}\b"),
    (("People management",),  # "supervised 12 nurses", "managed 5 engineers and 2 analysts"
     rf"\b{_MANAGE}{_SP}{_ABOUT}{_NUM}{_SP}{_W}{{0,2}}{_STAFF}\b"),
    (("People management", "Mentoring"),  # "mentored four junior engineers"
     rf"\b{_MENTOR}{_SP}{_ABOUT}{_NUM}{_SP}{_W}{{0,2}}{_STAFF}\b"),
    (("Training and development",),  # "trained 200 employees on the new system"
     rf"\btrain(?:ed|s|ing){_SP}{_ABOUT}{_NUM}{_SP}{_W}{{0,2}}{_STAFF}\b"),
    (("People management",),  # "8 direct reports", "with direct reports"
     rf"\b(?:{_NUM}{_SP})?direct{_SP}reports?\b"),
    (("People management",),  # "hired, trained and supervised staff"
     rf"\b(?:hired|recruited),?{_SP}(?:and{_SP})?(?:trained|onboarded|developed),?{_SP}"
     rf"(?:and{_SP})?(?:supervised|managed|led|mentored|coached|scheduled)\b"),
    (("People management",),  # "served as charge nurse", "people manager", "shift supervisor"
     rf"\b(?:charge{_SP}nurse|people{_SP}manager|line{_SP}manager|shift{_SP}supervisor|"
     rf"crew{_SP}(?:lead|leader|chief)|foreman|forewoman)\b"),
    (("Mentoring",),  # "precepted new graduate nurses", "trained two apprentices"
     rf"\b(?:precept(?:ed|s|ing|or|ors)\b|(?:{_MENTOR}|train(?:ed|s|ing)){_SP}{_W}{{0,3}}"
     rf"(?:apprentices|"
     rf"new{_SP}(?:hires|graduates?|grads|nurses|staff)|interns|juniors|junior{_SP}\w+)\b)"),
    (("Project management",),  # "managed the ERP rollout project", "led 3 projects"
     rf"\b(?:manag(?:e|ed|es|ing)|l(?:ed|ead|eads|eading)|deliver(?:ed|s|ing)?|ran|"
     rf"coordinat(?:e|ed|es|ing)|overs(?:aw|ee|ees)){_SP}{_NOT_PREP}{{0,4}}projects?\b"),
    (("Project management", "Budgeting"),  # "delivered on time and under budget"
     rf"\bon{_SP}time{_SP}and{_SP}(?:under|within|on){_SP}budget\b"),
    (("Stakeholder management",),  # "aligned stakeholders", "briefed executives"
     rf"\b(?:(?:manag|align|engag|brief|influenc){_V}|partner(?:ed|ing)?{_SP}with){_SP}"
     rf"{_W}{{0,2}}"
     rf"(?:stakeholders|executives|C-suite|senior{_SP}leadership|leadership{_SP}teams?)\b"),
    (("Vendor management",),  # "managed 40 vendors", "negotiated with suppliers"
     rf"\b(?:(?:manag|select|onboard|evaluat|coordinat){_V}|overs(?:aw|ee|ees|eeing)|"
     rf"negotiat{_V}{_SP}with){_SP}"
     rf"{_W}{{0,3}}(?:vendors|suppliers|subcontractors|carriers|agencies)\b"),
    (("Negotiation",),  # "negotiated rates with carriers", "negotiated contracts"
     rf"\bnegotiat(?:e|ed|es|ing){_SP}{_W}{{0,3}}(?:contracts|agreements|rates|"
     rf"pricing|prices|terms|deals|leases|renewals|settlements|offers|discounts)\b"),
    (("Strategic planning",),  # "wrote the 3-year strategic plan", "set a five-year strategy"
     rf"\b(?:wr(?:ote|ite|iting)|develop{_V}|set|led|creat{_V}|defin{_V}|built){_SP}"
     rf"{_W}{{0,3}}(?:strategic{_SP}plans?|(?:\d|three|five|ten)[- ]year{_SP}"
     rf"(?:plans?|strateg(?:y|ies)|roadmaps?))\b"),
    (("Change management",),  # "led the organisational change", "drove a transformation"
     rf"\b(?:l(?:ed|ead|eading)|dr(?:ove|ive|iving)|manag{_V}){_SP}{_W}{{0,3}}"
     rf"(?:organi[sz]ational{_SP}change|change{_SP}initiatives?|transformations?)\b"),
    (("Scrum",),  # "ran standups and retros", "two-week sprints"
     rf"\b(?:stand-?ups|daily{_SP}scrums?|retrospectives|retros|sprint{_SP}(?:reviews|demos|"
     rf"goals|backlogs?)|(?:two|2)[- ]week{_SP}sprints)\b"),
    # --- budgeting and finance --------------------------------------------------------
    (("Budgeting",),  # "kept the monthly budget under $2M", "owned a $3M budget"
     rf"\b(?:own(?:ed|s|ing)?|manag(?:e|ed|es|ing)|overs(?:aw|ee|ees)|control(?:led|s)?|"
     rf"administer(?:ed|s)?|ran|kept|held|prepar(?:e|ed|es|ing)|buil[dt]|develop(?:ed|s)?|"
     rf"set|plann?(?:ed)?|forecast(?:ed)?|responsible{_SP}for|accountable{_SP}for){_SP}"
     rf"(?:a{_SP}|an{_SP}|the{_SP}|our{_SP}|my{_SP}|all{_SP})?(?:{_MONEY}{_SP})?"
     rf"{_W}{{0,2}}(?<!error )(?<!time )budgets?\b"),
    (("Budgeting",),  # "a $2M budget", "budget of $450K"
     rf"(?:{_MONEY}{_SP}{_W}?(?:operating{_SP}|annual{_SP}|capital{_SP})?budget\b|"
     rf"\bbudgets?{_SP}of{_SP}{_ABOUT}{_MONEY})"),
    (("Month-end close",),  # "closed the books", "close the monthly books"
     rf"\b(?:clos(?:e|ed|es|ing)){_SP}(?:the{_SP})?(?:monthly{_SP}|quarterly{_SP}|annual{_SP}|"
     rf"year-end{_SP})?books\b"),
    (("Month-end close",),  # "month-end and year-end close", "monthly and quarterly close"
     rf"\b(?:month|quarter|year)[- ]?end{_SP}(?:and|&|/){_SP}(?:month|quarter|year)[- ]?end"
     rf"{_SP}clos(?:e|es|ing)\b|\b(?:monthly|quarterly){_SP}(?:and|&|/){_SP}"
     rf"(?:quarterly|annual|year-end){_SP}clos(?:e|es|ing)\b"),
    (("Reconciliation",),  # "reconciled bank accounts", "reconciles 40 GL accounts monthly"
     rf"\breconcil(?:e|ed|es|ing){_SP}{_W}{{0,3}}(?:accounts?|statements?|balances?|"
     rf"ledgers?|transactions|cards?|payables|receivables|sub-?ledgers?|inventory|cash)\b"),
    (("Journal entries",),  # "posted journal entries", "prepared JEs"
     rf"\b(?:post(?:ed|s|ing)?|prepar(?:e|ed|es|ing)|record(?:ed|s|ing)?|book(?:ed|s|ing)?|"
     rf"review(?:ed|s|ing)?){_SP}{_W}{{0,3}}(?:journal{_SP}entries|(?-i:JEs))\b"),
    (("Accruals",),  # "booked monthly accruals", "recorded accrued expenses"
     rf"\b(?:post|prepar|record|book|calculat|reviewed|true[- ]up){_V}{_SP}{_W}{{0,2}}"
     rf"(?:accruals|accrued{_SP}(?:expenses|liabilities))\b"),
    (("Payroll",),  # "processed biweekly payroll for 300 employees"
     rf"\b(?:process(?:ed|es|ing)?|ran|run(?:s|ning)?|administer(?:ed|s|ing)?|manag(?:e|ed|es|ing)|"
     rf"prepar(?:e|ed|es|ing)){_SP}{_W}{{0,3}}payrolls?\b"),
    (("Multi-state payroll", "Payroll"),  # "payroll for employees in 14 states"
     rf"\bpayrolls?{_SP}{_W}{{0,5}}(?:in|across|for){_SP}{_ABOUT}(?:{_NUM}|all{_SP}50)"
     rf"{_SP}(?:U\.?S\.?{_SP})?states\b"),
    (("Accounts payable",),  # "processed 500 vendor invoices a week"
     rf"\b(?:process|enter|cod|match|approv|pa[iy]|vouch){_V}{_SP}(?:{_ABOUT}{_NUM}{_SP})?"
     rf"{_W}{{0,2}}(?:vendor{_SP}|supplier{_SP})?invoices\b|\b(?:three|3)[- ]way{_SP}"
     rf"match(?:ing)?\b"),
    (("Accounts receivable",),  # "collected past-due balances", "cut DSO by 12 days"
     rf"\bcollect(?:ed|s|ing)?{_SP}(?:on{_SP})?{_W}?(?:past[- ]due|overdue|outstanding|"
     rf"delinquent|aged){_SP}(?:accounts|balances|invoices|receivables|payments)\b|"
     rf"\b(?-i:DSO)\b|\bdays{_SP}sales{_SP}outstanding\b"),
    (("Tax preparation",),  # "prepared 200+ individual tax returns", "filed 1040s"
     rf"\b(?:{_PREPARE}|{_FILE}|complet(?:e|ed|es|ing)|review(?:ed|s|ing)?){_SP}"
     rf"(?:{_ABOUT}{_NUM}{_SP})?{_W}{{0,3}}(?:tax{_SP}returns|(?:federal|state|1040|1120S?|"
     rf"1065|990){_SP}(?:and{_SP}state{_SP})?(?:income{_SP})?(?:tax{_SP})?returns|1040s|1120s|"
     rf"1065s|990s)\b"),
    (("Auditing",),  # "audited vendor files", "supported the external auditors"
     rf"\baudit(?:ed|ing){_SP}{_W}{{0,3}}(?:accounts|financial|books|records|controls|"
     rf"processes|statements|vendors|claims|charts|payroll|inventory|expenses)\b|"
     rf"\b(?:external|internal|outside){_SP}auditors\b"),
    (("Forecasting",),  # "forecasted revenue", "built the rolling forecast"
     rf"\bforecast(?:ed|s|ing)?{_SP}{_W}{{0,2}}(?:revenue|sales|cash|expenses|spend|"
     rf"headcount|volumes?|bookings|margins?)\b|\b(?:built|own(?:ed)?|prepar(?:ed|e))"
     rf"{_SP}{_W}{{0,2}}(?:rolling{_SP})?forecasts?\b"),
    (("Demand planning",),  # "forecast customer demand"
     rf"\bforecast(?:ed|s|ing)?{_SP}{_W}{{0,2}}demand\b"),
    (("Variance analysis",),  # "explained budget-to-actual variances"
     rf"\b(?:analy[sz](?:e|ed|es|ing)|explain(?:ed|s|ing)?|investigat(?:e|ed|es|ing)|"
     rf"report(?:ed|s|ing)?{_SP}on|review(?:ed|s|ing)?){_SP}{_W}{{0,3}}variances\b"),
    (("Financial modeling",),  # "built a three-statement model", "built LBO models"
     rf"\b(?:buil[dt]|develop(?:ed|s)?|creat(?:e|ed|es)|maintain(?:ed|s)?){_SP}{_W}{{0,3}}"
     rf"(?:financial|three[- ]statement|3[- ]statement|LBO|DCF|valuation|operating|pricing|"
     rf"revenue){_SP}models?\b"),
    (("Financial reporting",),  # "prepared monthly board reporting packages"
     rf"\b{_PREPARE}{_SP}{_W}{{0,3}}(?:financial|management|board|P&L|flash|"
     rf"investor){_SP}(?:reports?|reporting|packages?|packs?|decks?)\b"),
    # --- human resources and recruiting -----------------------------------------------
    (("Recruiting",),  # "hired 140 engineers", "recruited 50+ nurses"
     rf"\b(?:hired|recruited){_SP}{_ABOUT}{_NUM}\b"
     rf"(?!{_SP}(?:months?|years?|weeks?|days?|hours?|times?)\b)(?:{_SP}[\w-]+)?"),
    (("Recruiting",),  # "filled 35 requisitions", "carried 25 open reqs"
     rf"\b(?:fill(?:ed|s|ing)?|clos(?:ed|es|ing)|manag(?:e|ed|es|ing)|carr(?:y|ied|ies)|"
     rf"own(?:ed|s)?|handl(?:e|ed|es)|work(?:ed|s)?{_SP}on){_SP}{_ABOUT}(?:{_NUM}{_SP})?"
     rf"{_W}{{0,2}}(?:requisitions|reqs|open{_SP}roles|openings|vacancies)\b|"
     rf"\bfill(?:ed|s|ing)?{_SP}{_ABOUT}(?:{_NUM}{_SP})?{_W}{{0,2}}(?:positions|roles)\b"),
    (("Recruiting", "Candidate sourcing"),  # "sourced and screened candidates"
     rf"\bsourc(?:e|ed|es|ing){_SP}(?:and{_SP}screen(?:ed|s|ing)?{_SP})?{_W}{{0,2}}"
     rf"(?:candidates|talent|applicants|engineers|nurses|hires|profiles)\b"),
    (("Recruiting", "Candidate screening"),  # "screened 300 applicants"
     rf"\bscreen(?:ed|s|ing)?{_SP}{_ABOUT}(?:{_NUM}{_SP})?{_W}{{0,2}}(?:candidates|"
     rf"applicants|resumes|résumés|CVs)\b"),
    (("Interviewing",),  # "conducted 200 interviews", "interviewed candidates"
     rf"\b(?:conduct(?:ed|s|ing)?|ran|l(?:ed|ead)|schedul(?:e|ed|es|ing)|coordinat(?:e|ed|es|ing))"
     rf"{_SP}{_ABOUT}(?:{_NUM}{_SP})?{_W}{{0,2}}interviews\b|\binterview(?:ed|s|ing)"
     rf"{_SP}{_ABOUT}(?:{_NUM}{_SP})?{_W}?(?:candidates|applicants)\b"),
    (("Recruiting",),  # "extended offers", "negotiated offers with candidates"
     rf"\b(?:extend(?:ed|s|ing)?|negotiat(?:e|ed|es|ing)){_SP}{_W}{{0,2}}(?:job{_SP})?"
     rf"offers\b"),
    (("Onboarding",),  # "onboarded 60 new hires"
     rf"\bonboard(?:ed|s|ing)?{_SP}{_ABOUT}(?:{_NUM}{_SP})?{_W}{{0,2}}(?:hires|"
     rf"employees|staff|nurses|engineers|team{_SP}members|associates|joiners)\b"),
    (("Benefits administration",),  # "administered benefits", "ran open enrollment"
     rf"\badminist(?:er|ered|ers|ering|rated){_SP}{_W}{{0,3}}benefits\b|"
     rf"\b(?:ran|l(?:ed|ead)|manag(?:e|ed|es)|coordinat(?:e|ed|es)){_SP}(?:the{_SP})?"
     rf"(?:annual{_SP})?open{_SP}enrollment\b"),
    (("Employee relations",),  # "investigated employee complaints", "resolved grievances"
     rf"\b(?:investigat|resolv|handl|mediat|address){_V}{_SP}{_W}{{0,2}}(?:employee{_SP}"
     rf"(?:complaints|concerns|issues|disputes|grievances)|grievances|workplace{_SP}"
     rf"(?:complaints|conflicts|disputes))\b"),
    (("Performance management",),  # "wrote annual reviews", "ran the review cycle"
     rf"\b(?:conduct|wr(?:ote|ite|iting)|deliver|ran|run|l(?:ed|ead)|manag){_V}{_SP}"
     rf"{_W}{{0,2}}(?:annual|quarterly|mid-year|performance){_SP}(?:reviews|"
     rf"evaluations|appraisals|review{_SP}cycles?)\b"),
    (("Compensation management",),  # "benchmarked salaries", "built salary bands"
     rf"\bbenchmark(?:ed|s|ing)?{_SP}{_W}{{0,2}}(?:salar(?:y|ies)|pay|compensation|"
     rf"wages)\b|\b(?:salary|pay|compensation){_SP}(?:bands|structures)\b"),
    # --- legal ------------------------------------------------------------------------
    (("Court filings", "Litigation support"),  # "drafted and filed motions"
     rf"\b{_PREPARE}(?:,?{_SP}|{_SP}and{_SP})(?:{_FILE}|serv(?:e|ed|es|ing))(?:,?{_SP}|"
     rf"{_SP}and{_SP})?{_W}{{0,3}}{_LEGAL_PAPERS}\b"),
    (("Court filings",),  # "filed motions", "e-filed pleadings with the court"
     rf"\b(?:e-?)?{_FILE}{_SP}{_W}{{0,3}}{_COURT_PAPERS}\b|\b(?:e-?)?fil(?:ed|ing)"
     rf"{_SP}{_W}{{0,4}}(?:with|in){_SP}(?:the{_SP})?{_W}{{0,2}}courts?\b"),
    (("Legal writing",),  # "drafted briefs and memoranda"
     rf"\b{_PREPARE}{_SP}{_W}{{0,3}}(?:(?:appellate|legal|trial|amicus|reply|opposition|"
     rf"summary[- ]judgment){_SP}briefs|briefs{_SP}and{_SP}(?:memoranda|motions)|memoranda|"
     rf"legal{_SP}memos|opinion{_SP}letters)\b"),
    (("Pleadings",),  # "drafted pleadings", "prepared complaints and answers"
     rf"\b{_PREPARE}{_SP}{_W}{{0,3}}(?:pleadings|complaints{_SP}and{_SP}answers)\b"),
    (("Contract drafting",),  # "drafted NDAs and services agreements"
     rf"\b{_PREPARE}{_SP}(?:and{_SP}negotiat(?:ed|ing){_SP})?{_W}{{0,3}}(?:contracts|"
     rf"agreements|NDAs|leases|amendments|MSAs|SOWs|statements{_SP}of{_SP}work)\b"),
    (("Contract review",),  # "reviewed and redlined vendor contracts"
     rf"\b(?:review(?:ed|s|ing)?|redlin(?:e|ed|es|ing)|analy[sz](?:e|ed|es|ing))"
     rf"(?:{_SP}and{_SP}redlin(?:ed|ing))?{_SP}{_W}{{0,3}}(?:contracts|agreements|NDAs|"
     rf"leases|MSAs)\b"),
    (("Depositions",),  # "summarized depositions", "prepared witnesses for depositions"
     rf"\b(?:summari[sz]|digest|schedul|prepar|attend|t(?:ook|aken|ake)|defend|second-chair){_V}"
     rf"{_SP}{_W}{{0,3}}depositions?\b"),
    (("Legal research",),  # "researched case law and statutes"
     rf"\bresearch(?:ed|es|ing)?{_SP}{_W}{{0,3}}(?:case{_SP}law|caselaw|statutes|"
     rf"precedents?|legal{_SP}issues|regulations|ordinances)\b"),
    (("Legal discovery",),  # "responded to written discovery", "managed discovery deadlines"
     rf"\b(?:manag|coordinat|respond(?:ed|ing)?{_SP}to|prepar|draft|propound|serv){_V}{_SP}"
     rf"{_W}{{0,2}}discovery{_SP}(?:requests|responses|plans|deadlines|disputes|production)\b|"
     rf"\b(?:propound{_V}|respond(?:ed|ing)?{_SP}to){_SP}(?:written{_SP})?discovery\b|"
     rf"\bdocument{_SP}productions?\b"),
    (("Document review", "E-discovery"),  # "coded documents for privilege"
     rf"\b(?:cod|review|tagg?){_V}{_SP}{_W}{{0,3}}documents{_SP}for{_SP}"
     rf"(?:responsiveness|privilege|relevance|relevancy)\b|\b(?:first|second)[- ](?:level|pass)"
     rf"{_SP}(?:document{_SP})?review\b"),
    (("Case management",),  # "managed a caseload of 60", "handled 200 active matters"
     rf"\b(?:manag|handl|carr(?:y|ied|ies)|maintain){_V}{_SP}(?:a{_SP})?(?:case{_OSP}load|docket)"
     rf"{_SP}of{_SP}{_ABOUT}\d+|\b(?:manag|handl){_V}{_SP}{_ABOUT}\d+\+?{_SP}(?:active{_SP}|open{_SP}|"
     rf"litigation{_SP})?(?:cases|matters|case{_SP}files)\b"),
    (("Litigation support",),  # "prepared trial binders and exhibits"
     rf"\b(?:prepar|assembl|organi[sz]){_V}{_SP}{_W}{{0,2}}(?:trial{_SP}(?:binders|"
     rf"notebooks|exhibits|materials)|exhibit{_SP}(?:lists|binders))\b"),
    # --- skilled trades ---------------------------------------------------------------
    (("Conduit bending",),  # "bent conduit", "ran EMT and rigid conduit"
     rf"\b(?:bent|bend(?:s|ing)?|ran|run(?:s|ning)?|install(?:ed|s|ing)?|rout(?:e|ed|es|ing)|"
     rf"thread(?:ed|s|ing)?){_SP}{_W}{{0,3}}conduits?\b|\bconduits?{_SP}(?:bending|runs?|"
     rf"installation|work)\b"),
    (("Electrical wiring",),  # "pulled wire", "terminated feeders", "wired panels"
     rf"\b(?:pull(?:ed|s|ing)?|terminat(?:e|ed|es|ing)|land(?:ed|s|ing)?|splic(?:e|ed|es|ing))"
     rf"{_SP}{_W}{{0,2}}(?:wires?|wiring|cables?|cabling|feeders?|conductors|circuits?)\b|"
     rf"\bwir(?:ed|es|ing){_SP}{_W}{{0,3}}(?:panels?|outlets|receptacles|switch(?:es)?|"
     rf"fixtures|lights?|lighting|motors?|thermostats?|homes?|houses|buildings?|circuits|"
     rf"controls|starters|sub-?panels?)\b"),
    (("Troubleshooting",),  # "troubleshot 3-phase motors", "diagnosed and repaired faults"
     rf"\btroubleshot\b|\btroubleshoot(?:ed|s)\b|\bdiagnos(?:e|ed|es|ing){_SP}(?:and|&|/){_SP}"
     rf"(?:repair|fix|resolv|correct){_V}|\bdiagnos(?:e|ed|es|ing){_SP}{_W}{{0,3}}"
     rf"(?:faults|failures|malfunctions|breakdowns|electrical{_SP}(?:issues|problems)|"
     rf"mechanical{_SP}(?:issues|problems))\b|\bfault[- ]?f(?:ound|ind|inding)\b"),
    (("Refrigerant recovery",),  # "recovered and recharged R-410A"
     rf"\b(?:recover|reclaim|evacuat|charg|recharg){_V}{_SP}(?:and{_SP}\w+{_SP})?{_W}{{0,2}}"
     rf"{_W}?(?:refrigerants?|R-?(?:22|410A|134A|404A|407C|32|454B)|freon)\b"),
    (("Brazing",),  # "brazed copper line sets"
     r"\bbraz(?:ed|e|es)\b"),
    (("Ductwork",),  # "installed duct systems", "fabricated and hung duct"
     rf"\b(?:install|fabricat|ran|run|seal|design|hung|hang|replac|insulat|size|sized){_V}{_SP}"
     rf"(?:and{_SP}\w+{_SP})?{_W}{{0,3}}(?:ducts?|duct{_SP}(?:systems|runs)|ductwork)\b"),
    (("HVAC",),  # "serviced rooftop units and heat pumps"
     rf"\b(?:servic|install|maintain|repair|troubleshot|commission|replac|start(?:ed)?{_SP}up)"
     rf"{_V}{_SP}{_W}{{0,3}}(?:furnaces|heat{_SP}pumps|rooftop{_SP}units|(?-i:RTUs)|"
     rf"chillers|air{_SP}handlers|(?-i:AHUs)|split{_SP}systems|mini[- ]splits|condensers|"
     rf"cooling{_SP}towers|air{_SP}conditioners)\b"),
    (("Welding",),  # "MIG-welded frames", "welded structural steel"
     rf"\b(?:MIG|TIG|stick|arc|pipe|flux[- ]?cored?|structural|aluminum|aluminium|stainless)"
     rf"[- ]?weld(?:ed|s|er|ers)\b|\bweld(?:ed|s)?{_SP}{_W}{{0,3}}(?:steel|aluminum|"
     rf"aluminium|stainless|pipe|joints|seams|frames|brackets|parts|assemblies|beams|plates?|"
     rf"fittings)\b"),
    # a list of processes that ends in "welding": "MIG, TIG, stick and flux-core welding"
    *(((skill, "Welding"), rf"\b{process}(?=(?:,?{_SP}(?:and{_SP}|or{_SP}|&{_SP})?{_PROCESS})*"
                           rf",?{_SP}(?:and{_SP}|or{_SP}|&{_SP})?weld(?:ing|er|ers)\b)")
      for skill, process in (("MIG welding", "MIG"), ("TIG welding", "TIG"),
                             ("Stick welding", "stick"),
                             ("Flux-core welding", r"flux[- ]?cored?"))),
    (("MIG welding", "Welding"), r"\bMIG[- ]weld(?:ed|s|er|ers)\b"),
    (("TIG welding", "Welding"), r"\bTIG[- ]weld(?:ed|s|er|ers)\b"),
    (("Stick welding", "Welding"), r"\bstick[- ]weld(?:ed|s|er|ers)\b"),
    (("Flux-core welding", "Welding"), r"\bflux[- ]?cored?[- ]weld(?:ed|s|er|ers)\b"),
    (("Pipe welding", "Welding"),  # "pipe welder", "welded pipe in 6G position"
     rf"\bpipe[- ]?weld(?:ed|s|er|ers)\b|\bweld(?:ed|s|ing)?{_SP}{_W}{{0,2}}pipe(?:s|line)?"
     rf"\b|\b(?-i:6G|5G|2G)(?:{_SP}|-)(?:pipe|position|certified|certification)\b"),
    (("Fabrication",),  # "fabricated brackets and frames"
     rf"\bfabricat(?:ed|e|es|ing){_SP}{_W}{{0,3}}(?:parts|brackets|frames|assemblies|"
     rf"components|structures|steel|metal|enclosures|racks|railings|trailers|jigs|skids|"
     rf"platforms|stairs|handrails)\b"),
    (("CNC programming",),  # "wrote G-code", "programmed Haas mills"
     rf"\b(?:wr(?:ote|ite|iting)|edit(?:ed|s|ing)?|program(?:med|s|ming)?|optimi[sz](?:e|ed|es|ing))"
     rf"{_SP}{_W}{{0,3}}(?:G[- ]?code|CNC{_SP}(?:programs?|mills?|lathes?|machines?|"
     rf"routers?)|(?:Haas|Mazak|Okuma|Fanuc){_SP}{_W}?(?:mills?|lathes?|controls?))\b"),
    (("CNC machining",),  # "set up and ran 5-axis mills", "operated Haas lathes"
     rf"\b(?:set{_SP}up|setup|operat(?:e|ed|es|ing)|ran|run(?:s|ning)?){_SP}(?:and{_SP}\w+{_SP})?"
     rf"{_W}{{0,3}}(?:CNC|Haas|Mazak|Okuma|DMG{_SP}Mori)\b|\b(?:3|4|5|three|four|five)"
     rf"[- ]axis{_SP}(?:CNC{_SP})?(?:mills?|milling|machining|machines?|lathes?|work)\b"),
    (("Precision measurement",),  # "inspected parts with calipers and micrometers"
     rf"\b(?:calipers|height{_SP}gauges?|bore{_SP}gauges?|dial{_SP}indicators?|"
     rf"micrometers?{_SP}(?:and|&|,){_SP}calipers|thread{_SP}gauges)\b"),
    (("Preventive maintenance",),  # "performed PMs", "PM work orders"
     rf"\b(?:perform|complet|schedul|conduct){_V}{_SP}{_W}{{0,2}}(?-i:PMs)\b|"
     rf"\b(?-i:PM){_SP}(?:checks|inspections|work{_SP}orders|tasks|routes|schedules)\b"),
    (("Forklift operation",),  # "operated sit-down and reach forklifts"
     rf"\b(?:operat(?:e|ed|es|ing)|dr(?:ove|ive|ives|iving)|certified{_SP}(?:on|to{_SP}operate))"
     rf"{_SP}{_W}{{0,3}}(?:forklifts?|fork{_SP}lifts?|lift{_SP}trucks?|reach{_SP}trucks?|"
     rf"order{_SP}pickers?|cherry{_SP}pickers?)\b"),
    (("Workplace safety",),  # "led toolbox talks", "zero lost-time incidents"
     rf"\b(?:toolbox{_SP}talks|tailgate{_SP}meetings|safety{_SP}(?:audits|inspections|"
     rf"meetings|walks|briefings|observations)|(?:zero|no){_SP}(?:lost[- ]time{_SP}|"
     rf"recordable{_SP}|OSHA{_SP}recordable{_SP})?(?:incidents|injuries|accidents|recordables))\b"),
    (("Blueprint reading",),  # "read blueprints and schematics"
     rf"\b(?:read(?:s|ing)?|interpret(?:ed|s|ing)?|work(?:ed|s|ing)?{_SP}from){_SP}"
     rf"{_W}{{0,2}}(?:blueprints|schematics|prints|wiring{_SP}diagrams|technical{_SP}"
     rf"drawings|shop{_SP}drawings|engineering{_SP}drawings|P&IDs)\b"),
    (("Lockout/tagout",),  # "locked out and tagged out equipment"
     rf"\block(?:ed)?[- ]?out(?:{_SP}and{_SP}|{_OSP}/{_OSP}|,{_SP}){_OSP}tag(?:ged)?[- ]?out\b"),
    (("PLC programming",),  # "programmed Allen-Bradley PLCs", "wrote ladder logic"
     rf"\b(?:program(?:med|s|ming)?|wr(?:ote|ite|iting)|troubleshot|modif(?:y|ied|ies)|"
     rf"edit(?:ed|s)?|commission(?:ed|s)?){_SP}{_W}{{0,3}}(?:PLCs?|ladder{_SP}logic|"
     rf"ControlLogix|CompactLogix|SLC[- ]?500|S7-\d+)\b"),
    # --- nursing, pharmacy and therapy ------------------------------------------------
    (("IV therapy",),  # "started IVs", "titrated drips", "maintained PICC lines"
     rf"\b(?:start|insert|plac|manag|maintain|hung|hang|titrat|administer|monitor){_V}{_SP}"
     rf"{_W}{{0,2}}(?:(?-i:IVs)|IV{_SP}(?:lines|drips|fluids|antibiotics|medications|"
     rf"pushes|infusions)|peripheral{_SP}lines|PICC{_SP}lines|central{_SP}lines|drips|"
     rf"infusions)\b"),
    (("Medication administration",),  # "administered medications", "passed meds to 30 residents"
     rf"\b(?:administer|pass|gave|giv){_V}{_SP}{_W}{{0,3}}(?:medications|meds|insulin|"
     rf"injections|narcotics|opioids|antibiotics|oral{_SP}medications|IM{_SP}injections)\b"),
    (("Immunizations",),  # "administered flu vaccines"
     rf"\b(?:administer|gave|giv){_V}{_SP}{_W}{{0,2}}(?:vaccines|vaccinations|"
     rf"immunizations|immunisations|flu{_SP}shots)\b"),
    (("Pharmacy dispensing",),  # "filled and verified 300 prescriptions a day"
     rf"\b(?:dispens|fill|verif|process){_V}{_SP}(?:and{_SP}\w+{_SP})?{_ABOUT}(?:{_NUM}{_SP})?"
     rf"{_W}{{0,2}}(?:prescriptions|scripts|Rx|medication{_SP}orders)\b"),
    (("Compounding",),  # "compounded sterile preparations"
     rf"\bcompound(?:ed|s){_SP}{_W}{{0,3}}(?:preparations|medications|products|(?-i:IVs)|"
     rf"admixtures|creams|ointments|solutions|chemotherapy|(?-i:TPN)|doses|suspensions)\b"),
    (("Medication therapy management",),  # "performed comprehensive medication reviews"
     rf"\bcomprehensive{_SP}medication{_SP}reviews?\b|\b(?-i:CMRs)\b"),
    (("Patient counseling",),  # "counseled patients on new medications"
     rf"\bcounsel(?:ed|led|s|ing)?{_SP}{_W}{{0,2}}(?:patients|customers{_SP}on)\b"),
    (("Patient education",),  # "educated patients and families", "taught discharge education"
     rf"\b(?:educat|taught|teach|instruct|coach){_V}{_SP}{_W}{{0,3}}(?:patients|families|"
     rf"caregivers)\b|\b(?:discharge|diabetes|medication|patient|self-care){_SP}education\b"),
    (("Discharge planning",),  # "coordinated discharges", "discharge education"
     rf"\b(?:coordinat|plan|facilitat|prepar|manag){_V}{_SP}{_W}{{0,2}}(?:discharges|"
     rf"discharge{_SP}plans?)\b|\bdischarge{_SP}(?:education|teaching)\b"),
    (("Patient assessment",),  # "assessed patients", "completed admission assessments"
     rf"\bassess(?:ed|es|ing)?{_SP}{_W}{{0,2}}patients?\b|\b(?:perform|complet|conduct){_V}"
     rf"{_SP}{_W}{{0,2}}(?:nursing|physical|patient|head[- ]to[- ]toe|initial|admission|"
     rf"neuro|neurological|pain|fall[- ]risk|skin){_SP}assessments?\b"),
    (("Telemetry",),  # "monitored cardiac rhythms", "read telemetry strips"
     rf"\b(?:monitor|interpret|read|analy[sz]){_V}{_SP}{_W}{{0,2}}(?:cardiac{_SP}rhythms|"
     rf"heart{_SP}rhythms|rhythm{_SP}strips|telemetry{_SP}strips|tele{_SP}strips|dysrhythmias|"
     rf"arrhythmias)\b"),
    (("Telemetry",),  # "telemetry RN", "a tele floor"
     rf"\btele(?:metry)?(?={_SP}(?-i:RN)\b|{_SP}(?:nurse|nursing|unit|floor)s?\b)"),
    (("Ventilator management",),  # "cared for ventilated patients", "weaned from the vent"
     rf"\bventilated{_SP}patients\b|\bpatients{_SP}on{_SP}(?:mechanical{_SP})?ventilat\w+\b|"
     rf"\bwean(?:ed|s|ing)?{_SP}{_W}{{0,3}}(?:from{_SP})?(?:the{_SP})?(?:ventilators?|vents?|"
     rf"mechanical{_SP}ventilation)\b|\bventilator{_SP}(?:settings|weaning)\b"),
    (("Wound care",),  # "dressed wounds", "changed dressings"
     rf"\b(?:dress|pack|irrigat|debrid|stag|treat|manag|assess|measur){_V}{_SP}{_W}{{0,2}}"
     rf"(?:wounds|pressure{_SP}(?:ulcers|injuries)|incisions|burns|ulcers)\b|\bchang{_V}{_SP}"
     rf"{_W}{{0,2}}dressings\b"),
    (("Phlebotomy",),  # "drew blood", "collected blood samples"
     rf"\b(?:drew|draw(?:s|ing)?){_SP}{_W}{{0,2}}(?:blood|labs|blood{_SP}samples)\b|"
     rf"\bcollect{_V}{_SP}{_W}{{0,2}}blood{_SP}(?:samples|specimens|cultures)\b"),
    (("Specimen collection",),  # "collected urine and swab specimens"
     rf"\bcollect{_V}{_SP}{_W}{{0,3}}(?:specimens|swabs|cultures|samples{_SP}for)\b"),
    (("Triage",),  # "triaged patients", "triaged 40 calls a shift"
     rf"\btriag(?:ed|es|ing){_SP}{_ABOUT}(?:{_NUM}{_SP})?{_W}{{0,2}}(?:patients|calls|"
     rf"walk-ins|residents|injuries)\b"),
    (("Clinical documentation",),  # "charted in Epic", "documented assessments in the EHR"
     rf"\b(?:chart|document){_V}{_SP}{_W}{{0,4}}(?:in|into|using|on){_SP}(?:the{_SP})?"
     rf"(?:Epic|Cerner|Meditech|EHR|EMR|PointClickCare|eClinicalWorks|electronic{_SP}(?:health|"
     rf"medical){_SP}records?)\b|\bdocument{_V}{_SP}{_W}{{0,2}}(?:patient{_SP}care|"
     rf"assessments|vital{_SP}signs|interventions|care{_SP}plans|nursing{_SP}care|"
     rf"patient{_SP}progress|progress{_SP}notes)\b|\bprogress{_SP}notes\b"),
    (("Infection control",),  # "followed contact and droplet precautions"
     rf"\b(?:contact|droplet|airborne|isolation|standard|universal|enhanced){_SP}"
     rf"(?:and{_SP}(?:contact|droplet|airborne){_SP})?precautions\b"),
    (("Therapeutic exercise",),  # "designed home exercise programs"
     rf"\bhome{_SP}exercise{_SP}programs?\b|\b(?-i:HEPs?)\b"),
    (("Manual therapy",),  # "joint mobilizations", "soft tissue work"
     rf"\b(?:joint|spinal|soft[- ]tissue){_SP}(?:mobili[sz]ations?|manipulations?|work)\b|"
     rf"\bmobili[sz](?:ed|ing){_SP}{_W}{{0,2}}joints\b"),
    (("Gait training",),  # "ambulated patients", "gait retraining"
     rf"\b(?:gait|ambulation){_SP}(?:and{_SP}balance{_SP})?(?:training|re-?education|"
     rf"retraining)\b|\bambulat(?:ed|ing){_SP}{_W}{{0,2}}patients\b"),
    (("Orthopedics",),  # "post-op total knee rehab", "ACL reconstruction"
     rf"\bpost-?op(?:erative)?{_SP}{_W}{{0,2}}(?:knees?|hips?|shoulders?|ACL|spine|"
     rf"spinal|joints?|fractures?)\b|\btotal{_SP}(?:knee|hip|joint|shoulder){_SP}"
     rf"(?:replacements?|arthroplast(?:y|ies))\b|\bACL{_SP}(?:reconstructions?|rehab(?:ilitation)?)\b"),
    # --- engineering ------------------------------------------------------------------
    (("Finite element analysis",),  # "ran stress and modal analyses"
     rf"\b(?:stress|modal|fatigue|buckling|static{_SP}structural){_SP}(?:and{_SP}\w+{_SP})?"
     rf"analys[ie]s\b"),
    (("Mechanical design",),  # "designed brackets and housings in SolidWorks"
     rf"\bdesign(?:ed|s|ing){_SP}{_W}{{0,4}}(?:brackets|housings|enclosures|mechanisms|"
     rf"gearboxes|castings|weldments|sheet{_SP}metal{_SP}parts|machined{_SP}parts|"
     rf"mechanical{_SP}(?:parts|components|assemblies|systems)|(?:plastic|molded|moulded)"
     rf"{_SP}parts|jigs)\b"),
    (("Technical drawing",),  # "created 2D detail drawings"
     rf"\b(?:creat|produc|prepar|drew|draft|releas|detail){_V}{_SP}{_W}{{0,3}}"
     rf"(?:2D{_SP}|detail(?:ed)?{_SP}|shop{_SP}|fabrication{_SP}|manufacturing{_SP}|assembly{_SP}|"
     rf"engineering{_SP}|as-built{_SP})drawings\b"),
    (("Root cause analysis",),  # "ran 8D investigations", "found the root cause"
     rf"\b(?:8D|5[- ]whys?|five[- ]whys?)\b|\b(?:identif|determin|found|find|investigat|drove|"
     rf"isolat){_V}{_SP}{_W}{{0,2}}root{_SP}causes?\b"),
    (("Design of experiments",),  # "ran designed experiments"
     rf"\bdesigned{_SP}experiments\b|\bfactorial{_SP}(?:experiments|designs?)\b"),
    (("Lean manufacturing",),  # "ran kaizen events", "Lean improvements cut dock time"
     rf"\bkaizen{_SP}(?:events?|blitz(?:es)?)\b|\blean{_SP}(?:improvements|initiatives|projects|"
     rf"tools|practices|transformation|events)\b|\b(?:applied|implemented|introduced){_SP}lean\b"),
    (("Six Sigma",),  # "Green Belt project", "LSS Black Belt"
     rf"\b(?:green|black|yellow){_SP}belt{_SP}(?:certified|certification|projects?)\b|"
     rf"\b(?-i:LSS){_SP}(?:green|black|yellow){_SP}belt\b"),
    (("PCB design",),  # "laid out 6-layer boards"
     rf"\b\d{{1,2}}[- ]layer{_SP}(?:PCBs?|boards|circuit{_SP}boards)\b|\b(?:laid{_SP}out|"
     rf"rout(?:ed|ing)){_SP}{_W}{{0,2}}(?:PCBs?|circuit{_SP}boards)\b"),
    (("Circuit design",),  # "designed analog front ends and power supplies"
     rf"\b(?:design|simulat|prototyp){_V}{_SP}{_W}{{0,3}}(?:circuits|circuitry|"
     rf"power{_SP}supplies|amplifiers|analog{_SP}front[- ]ends|voltage{_SP}regulators)\b|"
     rf"\bschematic{_SP}capture\b"),
    (("Power systems",),  # "ran load flow and arc flash studies"
     rf"\b(?:load[- ]flow|short[- ]circuit|arc[- ]flash|protective{_SP}relay(?:ing)?|"
     rf"relay{_SP}coordination|harmonic){_SP}(?:and{_SP}[\w-]+{_SP}(?:[\w-]+{_SP})?)?"
     rf"(?:studies|study|analys[ie]s)\b"),
    (("Structural design",),  # "designed steel frames and footings"
     rf"\b(?:design|siz|check){_V}{_SP}{_W}{{0,3}}(?:beams|footings|foundations|trusses|"
     rf"retaining{_SP}walls|steel{_SP}(?:frames|structures)|concrete{_SP}(?:structures|slabs)|"
     rf"shear{_SP}walls|moment{_SP}frames)\b"),
    # --- sales and marketing ----------------------------------------------------------
    (("SEO",),  # "grew organic traffic 140%", "built backlinks"
     rf"\borganic{_SP}(?:search{_SP})?(?:traffic|rankings?|visibility|sessions)\b|"
     rf"\b(?:search|keyword){_SP}rankings?\b|\bbacklinks?\b|\blink[- ]building\b"),
    (("SEM",),  # "managed paid search campaigns", "lowered cost per click"
     rf"\bpaid{_SP}search{_SP}campaigns\b|\bsearch{_SP}ads\b|\b(?-i:ROAS)\b|"
     rf"\bcost[- ]per[- ]click\b"),
    (("Digital marketing",),  # "managed $1.5M in annual ad spend"
     rf"\bad{_SP}spend\b|\bcost[- ]per[- ](?:acquisition|lead)\b|\b(?-i:CAC)\b"),
    (("Email marketing",),  # "wrote nurture sequences", "raised open rates"
     rf"\b(?:e-?mail){_SP}(?:newsletters?|sequences|nurtures?|blasts|programs?|flows)\b|"
     rf"\bopen{_SP}rates?\b"),
    (("Lead generation",),  # "generated 300 SQLs", "booked 40 meetings a month"
     rf"\bgenerat(?:e|ed|es|ing){_SP}{_ABOUT}(?:{_MONEY}{_SP}|{_NUM}{_SP})?{_W}{{0,2}}"
     rf"(?:leads|(?-i:MQLs|SQLs)|qualified{_SP}opportunities|meetings|demos)\b|"
     rf"\b(?-i:MQLs|SQLs)\b|\bbook(?:ed|s|ing){_SP}{_ABOUT}{_NUM}{_SP}{_W}{{0,2}}"
     rf"(?:meetings|demos)\b|\bbook(?:ed|s|ing){_SP}{_W}?(?:qualified|sales|discovery|"
     rf"intro(?:ductory)?|prospect){_SP}(?:meetings|demos|calls)\b|\bcold[- ](?:called|"
     rf"calling|emailed|emailing|outreach)\b"),
    (("Pipeline management",),  # "managed a $4M pipeline"
     rf"{_MONEY}{_SP}{_W}?(?:sales{_SP})?pipeline\b|\bpipeline{_SP}(?:of|worth){_SP}"
     rf"{_ABOUT}{_MONEY}|\bsales{_SP}pipelines?\b"),
    (("Sales",),  # "exceeded quota by 120%", "closed $1.2M in new business"
     rf"\b(?:exceed|beat|surpass|achiev|hit|attain|met|meet){_V}{_SP}{_W}{{0,3}}"
     rf"(?:quotas?|sales{_SP}targets?|revenue{_SP}targets?|sales{_SP}goals?)\b|"
     rf"\bquota{_SP}attainment\b|\bclos(?:ed|ing){_SP}{_W}{{0,3}}(?:deals|new{_SP}business|"
     rf"sales)\b|\bclosed(?:[- ]won)?{_SP}{_MONEY}"),
    (("Account management",),  # "managed a book of 40 accounts", "grew account revenue"
     rf"\b(?:manag|grew|own|retain|serv|handl){_V}{_SP}(?:a{_SP})?(?:book|portfolio){_SP}of"
     rf"{_SP}(?:{_MONEY}{_SP})?{_W}{{0,2}}(?:accounts|clients|customers)\b|"
     rf"\b(?:client|customer|account){_SP}retention\b|\bmanag(?:e|ed|es|ing){_SP}{_ABOUT}\d+\+?"
     rf"{_SP}(?:key{_SP}|enterprise{_SP}|strategic{_SP}|client{_SP}|customer{_SP})accounts\b"),
    (("Market research",),  # "ran focus groups and customer surveys"
     rf"\bfocus{_SP}groups\b|\bcustomer{_SP}surveys\b|\bmarket{_SP}(?:sizing|studies|surveys)\b|"
     rf"\bconsumer{_SP}insights?\b"),
    (("Social media marketing",),  # "grew Instagram followers 3x"
     rf"\b(?:grew|grow{_V}|increas{_V}|doubl{_V}|tripl{_V}){_SP}{_W}{{0,3}}(?:followers|"
     rf"social{_SP}(?:media{_SP})?(?:engagement|audience|following))\b"),
    (("Content marketing",),  # "wrote blog posts and white papers"
     rf"\b(?:wr(?:ote|ite|iting)|publish{_V}|produc{_V}){_SP}{_ABOUT}{_NUM}{_SP}{_W}?"
     rf"(?:blog{_SP}posts|articles|e-?books|white{_OSP}papers)\b|\b(?:content|editorial)"
     rf"{_SP}calendars?\b|\bwhite{_OSP}papers\b"),
    (("A/B testing",), r"\b(?:A/B|split)[- ]test(?:ed|s)\b"),
    # --- education --------------------------------------------------------------------
    (("Lesson planning",),  # "planned daily lessons", "wrote unit plans"
     rf"\b(?:plan|design|wr(?:ote|ite|iting)|creat|develop|prepar){_V}{_SP}{_W}{{0,3}}"
     rf"(?:lessons(?!{_SP}learned)|units{_SP}of{_SP}study|instructional{_SP}units|"
     rf"unit{_SP}plans)\b"),
    (("Teaching",),  # "taught 120 students", "teaching 6th grade math"
     rf"\btaught{_SP}{_W}{{0,3}}(?:students|learners|pupils|classes|courses|sections|"
     rf"grades?|kindergarten|algebra|geometry|calculus|math|mathematics|English|science|"
     rf"history|biology|chemistry|physics|reading|writing|Spanish|French)\b|"
     rf"\bteach(?:es|ing)?{_SP}(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|"
     rf"seventh|eighth|ninth|tenth|eleventh|twelfth)[- ]grade\b"),
    (("Differentiated instruction",),  # "differentiated instruction for mixed-ability classes"
     rf"\bdifferentiat(?:e|ed|es|ing){_SP}{_W}{{0,2}}(?:instruction|lessons|teaching|"
     rf"learning|curriculum|materials|assignments|tasks)\b|\bsmall[- ]group{_SP}instruction\b|"
     rf"\bscaffold(?:ed|ing){_SP}{_W}?(?:instruction|lessons|tasks)\b"),
    (("Classroom management",),  # "behavior plans", "PBIS"
     rf"\bclassroom{_SP}(?:routines|procedures|expectations|behaviou?r)\b|\bbehaviou?r{_SP}"
     rf"(?:plans|charts|intervention{_SP}plans|management{_SP}plans)\b|\b(?-i:PBIS)\b|"
     rf"\bpositive{_SP}behaviou?r{_SP}(?:supports?|interventions?)\b"),
    (("IEP", "Special education"),  # "wrote and implemented IEPs"
     rf"\b(?:wr(?:ote|ite|iting)|develop|implement|manag|monitor|draft){_V}{_SP}(?:and{_SP}\w+{_SP})?"
     rf"{_W}{{0,2}}(?-i:IEPs?)\b|\bcase{_SP}manag{_V}{_SP}(?:for{_SP})?(?:\d+{_SP})?"
     rf"{_W}?(?:students|(?-i:IEPs))\b"),
    (("Student assessment",),  # "administered benchmark assessments", "analyzed student data"
     rf"\b(?:administer|design|creat|develop|analy[sz]|grad|writ|wrote){_V}{_SP}{_W}{{0,2}}"
     rf"(?:benchmark|formative|summative|diagnostic|common|unit|standardi[sz]ed|state|reading|"
     rf"math){_SP}(?:assessments|tests|exams)\b|\banaly[sz]{_V}{_SP}{_W}{{0,2}}student{_SP}"
     rf"(?:achievement{_SP}|performance{_SP}|assessment{_SP}|growth{_SP})?data\b|"
     rf"\bassess(?:ed|es|ing){_SP}{_W}{{0,2}}students\b"),
    (("Curriculum development",),  # "wrote the 9th grade science curriculum"
     rf"\b(?:wr(?:ote|ite|iting)|design|develop|creat|revis|overhaul|align|buil[dt]|rewr(?:ote|ite))"
     rf"{_V}{_SP}{_W}{{0,4}}curricul(?:um|a)\b"),
    (("ESL instruction",),  # "supported English learners"
     rf"\bEnglish{_SP}(?:language{_SP})?learners\b|\b(?-i:ELLs|ELs)\b|\bemergent{_SP}bilinguals\b|"
     rf"\bmultilingual{_SP}learners\b"),
    (("Parent communication",),  # "met with parents", "communicated weekly with families"
     rf"\b(?:communicat|partner|met|meet|conferenc|correspond){_V}{_SP}{_W}?with{_SP}"
     rf"{_W}?(?:parents|families|guardians)\b"),
    # --- logistics --------------------------------------------------------------------
    (("Dispatching",),  # "dispatched 40 drivers", "dispatching technicians"
     rf"\bdispatch(?:ed|es|ing)?{_SP}{_ABOUT}(?:{_NUM}{_SP})?{_W}{{0,2}}(?:drivers|trucks|"
     rf"technicians|techs|crews|vehicles|loads|units|fleets?|routes|ambulances)\b"),
    (("Freight management",),  # "booked LTL shipments", "tendered loads to carriers"
     rf"\b(?:book|schedul|tender|coordinat|negotiat|audit|track|expedit|consolidat|rout){_V}{_SP}"
     rf"{_W}{{0,3}}(?:freight|shipments|(?-i:LTL|FTL)|truckloads|shipping{_SP}containers|"
     rf"ocean{_SP}containers)\b|\btender(?:ed|s|ing)?{_SP}{_W}{{0,2}}loads\b"),
    (("Cycle counting",), r"\bcycle[- ]count(?:ed|ing|s)?\b"),
    (("Order fulfillment",),  # "picked and packed 200 orders an hour"
     rf"\bpick(?:ed|s|ing)?(?:,?{_SP}(?:and{_SP})?pack(?:ed|s|ing)?)?{_SP}{_ABOUT}(?:{_NUM}{_SP})?"
     rf"{_W}{{0,2}}orders\b|\b(?:fulfill|fulfil|ship){_V}{_SP}{_ABOUT}(?:{_NUM}{_SP})?"
     rf"{_W}{{0,2}}orders\b"),
    (("Shipping and receiving",),  # "loaded and unloaded trailers"
     rf"\b(?:load(?:ed|s|ing)?{_SP}(?:and|&|/){_SP}unload{_V}|unload(?:ed|s|ing)?|"
     rf"receiv(?:e|ed|es|ing)){_SP}{_W}{{0,2}}(?:trucks|trailers|containers|shipments|"
     rf"deliveries|inbound{_SP}\w+|freight)\b"),
    (("Procurement",),  # "issued purchase orders", "sourced suppliers for raw materials"
     rf"\b(?:issu|creat|process|rais|generat|plac){_V}{_SP}{_W}{{0,2}}(?:purchase{_SP}orders|"
     rf"(?-i:POs))\b|\bsourc(?:e|ed|es|ing){_SP}{_W}{{0,3}}(?:suppliers|vendors|materials|"
     rf"raw{_SP}materials|components)\b"),
    (("Inventory management",),  # "reduced inventory by 20%", "maintained par levels"
     rf"\b(?:reduc|optimi[sz]|manag|maintain|track|control|replenish|balanc){_V}{_SP}"
     rf"{_W}{{0,3}}(?:inventory|inventories|stock{_SP}levels|safety{_SP}stock|"
     rf"par{_SP}levels)\b|\binventory{_SP}(?:accuracy|turns|levels|counts)\b"),
    (("Route planning",),  # "planned daily delivery routes"
     rf"\b(?:plan|optimi[sz]|build|built|design|schedul){_V}{_SP}{_W}{{0,2}}"
     rf"(?:delivery|truck|driver|bus|pickup|service|daily|field){_SP}routes\b"),
    (("Customs compliance",),  # "cleared shipments through customs"
     rf"\bcustoms{_SP}(?:documentation|paperwork|entries|filings|declarations)\b|\bclear{_V}"
     rf"{_SP}{_W}{{0,3}}(?:through{_SP})?customs\b|\b(?-i:HTS){_SP}(?:codes|classification)"
     rf"\b|\btariff{_SP}classification\b"),
    # --- software delivery and IT -----------------------------------------------------
    (("CI/CD",),  # "wrote the Jenkins build pipelines", "automated deployments"
     rf"\b(?:CI|CD|Jenkins|GitLab|GitHub|Azure|build|deploy(?:ment)?|release|delivery)"
     rf"{_SP}pipelines?\b|\bautomat(?:e|ed|es|ing){_SP}{_W}{{0,2}}(?:deployments?|"
     rf"deploys|releases|builds|release{_SP}process|build{_SP}process)\b"),
    (("Docker",),  # "containerized 20 services"
     rf"\bcontaineri[sz](?:e|ed|es|ing){_SP}{_W}{{0,3}}(?:services|apps|applications|workloads|"
     rf"microservices|APIs|jobs|systems)\b"),
    (("Infrastructure as code",),  # "provisioned infrastructure with Terraform"
     rf"\b(?:provision|defin|manag|codif){_V}{_SP}{_W}{{0,3}}infrastructure{_SP}"
     rf"(?:as{_SP}code|with{_SP}(?:Terraform|Pulumi|CloudFormation|Ansible)|in{_SP}code)\b|"
     rf"\bTerraform{_SP}(?:modules|plans|state)\b"),
    (("Site reliability engineering",),  # "wrote incident postmortems", "defined SLOs"
     rf"\bincident{_SP}post-?mortems\b|\b(?-i:SLOs|SLIs)\b|\berror{_SP}budgets?\b"),
    (("Observability",),  # "distributed tracing", "OpenTelemetry"
     rf"\bdistributed{_SP}tracing\b|\bstructured{_SP}logging\b|\bOpenTelemetry\b"),
    (("Technical support",),  # "resolved 40 tickets a day", "supported 300 users"
     rf"\b(?:resolv|clos|handl|work){_V}{_SP}{_ABOUT}(?:{_NUM}{_SP})?{_W}{{0,2}}"
     rf"(?:support{_SP}|help{_SP}desk{_SP}|service{_SP}desk{_SP}|IT{_SP})tickets\b|"
     rf"\bsupported{_SP}{_ABOUT}\d[\d,]*\+?{_SP}(?:end{_SP}|internal{_SP})?users\b"),
    (("Unit testing",),  # "wrote unit tests", "raised test coverage to 90%"
     rf"\b(?:wr(?:ote|ite|iting)|add(?:ed|s|ing)?){_SP}{_W}{{0,2}}unit{_SP}tests\b|"
     rf"\b(?:test|code){_SP}coverage\b"),
)

RULES: tuple[PhraseRule, ...] = tuple(
    PhraseRule(skills, re.compile(pattern, re.IGNORECASE)) for skills, pattern in _RULES)
# Every canonical skill a phrase can name (a test checks each is in the taxonomy).
PHRASE_SKILLS: frozenset[str] = frozenset(skill for rule in RULES for skill in rule.skills)


def phrase_hits(text: str) -> list[PhraseHit]:
    """Every skill a phrase of `text` names, in text order; one hit per skill and span."""
    seen: set[tuple[str, int, int]] = set()
    hits = []
    for rule in RULES:
        for match in rule.pattern.finditer(text):
            start, end = match.start(), match.end()
            while end > start and text[end - 1] in " \t":
                end -= 1
            for skill in rule.skills:
                if (skill, start, end) not in seen:
                    seen.add((skill, start, end))
                    hits.append(PhraseHit(skill, start, end, text[start:end]))
    hits.sort(key=lambda hit: (hit.start, hit.end, hit.skill))
    return hits
