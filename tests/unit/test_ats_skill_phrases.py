"""Skills named by what people did ("managed a team of 8") and by the professional vocabulary
of every trade, and ordinary words that are not skills ("an epic journey", "excel at")."""

from __future__ import annotations

import re

import pytest

from services.ats_engine.skill_phrases import PHRASE_SKILLS, RULES, PhraseHit, phrase_hits
from services.ats_engine.skills import default_taxonomy

taxonomy = default_taxonomy()


def found(text: str) -> set[str]:
    """What the engine finds in a line: taxonomy names and aliases, plus phrases."""
    return set(taxonomy.extract(text)) | {hit.skill for hit in phrase_hits(text)}


def test_every_phrase_names_a_skill_of_the_taxonomy() -> None:
    missing = sorted(skill for skill in PHRASE_SKILLS if skill not in taxonomy.skills)
    assert not missing, f"phrase skills not in the taxonomy: {missing}"


def test_phrases_are_many_compiled_once_and_case_insensitive() -> None:
    assert len(RULES) >= 60
    assert all(isinstance(rule.pattern, re.Pattern) for rule in RULES)
    assert all(rule.pattern.flags & re.IGNORECASE for rule in RULES)
    assert all(rule.skills for rule in RULES)


def test_hits_carry_their_span_in_text_order_once_each() -> None:
    text = "Supervised 12 nurses.\nClosed the books and reconciled bank accounts monthly."
    hits = phrase_hits(text)
    assert hits == sorted(hits, key=lambda hit: (hit.start, hit.end, hit.skill))
    assert len({(h.skill, h.start, h.end) for h in hits}) == len(hits)
    assert all(isinstance(hit, PhraseHit) and text[hit.start:hit.end] == hit.text
               for hit in hits)
    assert [(h.skill, h.text) for h in hits] == [
        ("People management", "Supervised 12 nurses"),
        ("Month-end close", "Closed the books"),
        ("Reconciliation", "reconciled bank accounts"),
    ]


def test_a_phrase_stays_on_its_line() -> None:
    assert not phrase_hits("Managed a team\nof 8 engineers")


@pytest.mark.parametrize(
    "line, expected",
    [
        # management
        ("Managed a team of 8 accountants", {"People management"}),
        ("Led a five-person audit team through year-end", {"People management", "Auditing"}),
        ("Supervised 12 nurses on a 30-bed unit", {"People management"}),
        ("Mentored four junior engineers", {"People management", "Mentoring"}),
        ("Engineering manager with 6 direct reports", {"People management"}),
        ("Kept the monthly budget under $2M", {"Budgeting"}),
        ("Owned a $3M budget for field marketing", {"Budgeting"}),
        ("Delivered the ERP rollout project on time and under budget",
         {"Project management", "Budgeting"}),
        ("Stakeholder management, vendor management and strategic planning",
         {"Stakeholder management", "Vendor management", "Strategic planning"}),
        ("Agile/Scrum, Kanban, SAFe and change management",
         {"Agile", "Scrum", "Kanban", "Scaled Agile Framework", "Change management"}),
        ("PMP certified; full P&L responsibility", {"PMP", "P&L management"}),
        # software delivery
        ("Wrote the Jenkins build pipelines", {"CI/CD", "Jenkins"}),
        ("Set up continuous integration and automated deployments", {"CI/CD"}),
        ("GitHub Actions, Terraform and Helm charts on EKS",
         {"GitHub Actions", "Terraform", "Helm", "Kubernetes"}),
        # recruiting and HR
        ("Hired 140 engineers in two years", {"Recruiting"}),
        ("Sourced and screened candidates for 25 open reqs",
         {"Recruiting", "Candidate sourcing", "Candidate screening"}),
        ("Full-cycle recruiting in Greenhouse and Lever",
         {"Full-cycle recruiting", "Greenhouse", "Lever"}),
        ("Benefits administration, open enrollment and HRIS data in Workday",
         {"Benefits administration", "HRIS", "Workday"}),
        ("Employee relations investigations; employment law compliance",
         {"Employee relations", "Employment law"}),
        ("SHRM-CP; performance management and onboarding",
         {"SHRM-CP", "Performance management", "Onboarding"}),
        # accounting and finance
        ("Closed the books each month and reconciled bank accounts",
         {"Month-end close", "Reconciliation"}),
        ("Month-end close, general ledger, A/P and A/R",
         {"Month-end close", "General ledger", "Accounts payable", "Accounts receivable"}),
        ("US GAAP and IFRS reporting; SOX 404 internal controls",
         {"GAAP", "IFRS", "SOX", "Internal controls"}),
        ("FP&A: budgeting, forecasting, variance analysis and financial modelling",
         {"FP&A", "Budgeting", "Forecasting", "Variance analysis", "Financial modeling"}),
        ("Processed payroll for 300 employees across 14 states",
         {"Payroll", "Multi-state payroll"}),
        ("NetSuite, Sage Intacct, QuickBooks Online, ADP and Paylocity",
         {"Oracle NetSuite", "Sage Intacct", "QuickBooks", "ADP", "Paylocity"}),
        ("Hyperion and Adaptive Insights for planning", {"Oracle Hyperion", "Adaptive Insights"}),
        ("Prepared 200+ individual tax returns as a CPA", {"Tax preparation", "CPA"}),
        # nursing, pharmacy and therapy
        ("Patient assessment, medication administration and IV therapy",
         {"Patient assessment", "Medication administration", "IV therapy"}),
        ("Started IVs and charted in Epic", {"IV therapy", "Clinical documentation", "Epic"}),
        ("Med-surg and telemetry RN; BLS, ACLS and PALS",
         {"Medical-surgical nursing", "Telemetry", "Registered Nurse", "BLS", "ACLS", "PALS"}),
        ("ICU nurse: ventilator management, wound care, infection control",
         {"Critical care", "Ventilator management", "Wound care", "Infection control"}),
        ("Cared for ventilated patients in the emergency department",
         {"Ventilator management", "Emergency nursing"}),
        ("Discharge planning and patient education for families",
         {"Discharge planning", "Patient education"}),
        ("Pediatrics and phlebotomy; drew blood for labs", {"Pediatrics", "Phlebotomy"}),
        ("Pharmacy dispensing, sterile compounding and MTM",
         {"Pharmacy dispensing", "Compounding", "Medication therapy management"}),
        ("Manual therapy, therapeutic exercise and gait training for orthopaedic patients",
         {"Manual therapy", "Therapeutic exercise", "Gait training", "Orthopedics"}),
        # legal
        ("Drafted and filed motions in federal court", {"Court filings", "Litigation support"}),
        ("E-discovery review in Relativity; legal research on Westlaw",
         {"E-discovery", "Relativity", "Legal research", "Westlaw"}),
        ("Contract drafting, contract review and due diligence",
         {"Contract drafting", "Contract review", "Due diligence"}),
        ("Summarized depositions and managed a caseload of 60",
         {"Depositions", "Case management"}),
        ("Corporate law and intellectual property matters",
         {"Corporate law", "Intellectual property"}),
        # skilled trades
        ("Bent conduit and pulled wire on commercial jobs",
         {"Conduit bending", "Electrical wiring"}),
        ("Troubleshot 3-phase motors and VFDs",
         {"Troubleshooting", "Three-phase power", "Variable frequency drives"}),
        ("NEC, blueprint reading, motor controls and PLC programming",
         {"National Electrical Code", "Blueprint reading", "Motor controls", "PLC programming"}),
        ("HVAC-R service: refrigerant recovery, brazing and ductwork",
         {"HVAC", "Refrigerant recovery", "Brazing", "Ductwork"}),
        ("MIG, TIG, stick and flux-core welding; pipe welding",
         {"MIG welding", "TIG welding", "Stick welding", "Flux-core welding", "Pipe welding"}),
        ("MIG-welded frames and fabricated brackets", {"MIG welding", "Welding", "Fabrication"}),
        ("CNC machining and CNC programming: G-code in Mastercam, CMM inspection, GD&T",
         {"CNC machining", "CNC programming", "G-code", "Mastercam", "CMM", "GD&T"}),
        ("Preventive maintenance, forklift operation and OSHA 30",
         {"Preventive maintenance", "Forklift operation", "OSHA"}),
        # engineering
        ("FEA and CFD in ANSYS; SolidWorks, CATIA and Creo",
         {"Finite element analysis", "Computational fluid dynamics", "SolidWorks", "CATIA",
          "Creo"}),
        ("Structural analysis in ETABS, SAP2000 and STAAD.Pro; Revit and Civil 3D",
         {"Structural analysis", "ETABS", "SAP2000", "STAAD.Pro", "Revit", "Civil 3D"}),
        ("MATLAB/Simulink, circuit design and PCB layout in Altium",
         {"MATLAB", "Simulink", "Circuit design", "PCB design", "Altium"}),
        ("Power systems, DOE, root cause analysis, FMEA, Lean and Six Sigma",
         {"Power systems", "Design of experiments", "Root cause analysis", "FMEA",
          "Lean manufacturing", "Six Sigma"}),
        ("Professional Engineer (PE) licensed in Ohio", {"Professional Engineer"}),
        # marketing and sales
        ("SEO, SEM, content marketing and email marketing in HubSpot and Marketo",
         {"SEO", "SEM", "Content marketing", "Email marketing", "HubSpot", "Marketo"}),
        ("Marketing automation, Google Analytics and lead generation",
         {"Marketing automation", "Google Analytics", "Lead generation"}),
        ("B2B sales: pipeline management and negotiation in Salesforce",
         {"B2B sales", "Pipeline management", "Negotiation", "Salesforce"}),
        ("Exceeded quota by 130% and closed $1.2M in new business", {"Sales"}),
        ("Account management, brand management and market research",
         {"Account management", "Brand management", "Market research"}),
        # education
        ("Lesson planning, classroom management and curriculum development",
         {"Lesson planning", "Classroom management", "Curriculum development"}),
        ("Differentiated instruction, IEPs and special education",
         {"Differentiated instruction", "IEP", "Special education"}),
        ("Taught 6th grade math to English language learners",
         {"Teaching", "ESL instruction"}),
        ("ESL/ELL instruction and formative assessment",
         {"ESL instruction", "Student assessment"}),
        # logistics
        ("Supply chain management, inventory management and WMS",
         {"Supply chain management", "Inventory management", "WMS"}),
        ("Procurement, demand planning, freight and dispatch",
         {"Procurement", "Demand planning", "Freight management", "Dispatching"}),
        ("Dispatched 40 drivers and booked LTL shipments",
         {"Dispatching", "Freight management"}),
        ("Warehouse management, cycle counts and order picking",
         {"Warehouse management", "Cycle counting", "Order fulfillment"}),
    ],
)
def test_professional_skills_are_found_by_name_alias_and_phrase(line: str,
                                                                  expected: set[str]) -> None:
    assert expected <= found(line), f"missing {sorted(expected - found(line))}"


@pytest.mark.parametrize(
    "line, false",
    [
        ("an epic journey", {"Epic"}),
        ("An epic journey across the Alps", {"Epic"}),
        ("we go further for our customers", {"Go"}),
        ("Ruby, our office dog", {"Ruby"}),
        ("We excel at teamwork", {"Microsoft Excel"}),
        ("access to the site", {"Microsoft Access"}),
        ("Badge access to the site is required", {"Microsoft Access"}),
        ("Chef de partie", {"Chef"}),
        ("spark joy", {"Spark"}),
        ("a solid background", {"SOLID principles"}),
        ("Swift response to complaints", {"Swift"}),
        ("Slack time in the schedule", {"Slack"}),
        ("Sage advice from mentors", {"Sage 50"}),
        ("Crystal clear communication", {"SAP Crystal Reports"}),
        ("Docker at the port of Long Beach", {"Docker"}),
        ("Oracle of Delphi", {"Oracle Database"}),
        ("Tableau vivant at the museum", {"Tableau"}),
        ("Lean on me", {"Lean manufacturing"}),
        ("Shell station cashier", {"Bash"}),
        ("Senior Accountant, Harbor Freight Partners", {"Freight management"}),
        ("Served as a conduit between engineering and sales", {"Conduit bending"}),
        ("Gave concrete examples in weekly reports", {"Concrete work"}),
        ("Wrote lessons learned for the project", {"Lesson planning"}),
        ("Designed reusable React components and test fixtures", {"Mechanical design"}),
        ("Wrote creative briefs for the design team", {"Legal writing"}),
        ("Black belt in karate", {"Six Sigma"}),
        ("Managed product discovery with customers", {"Legal discovery"}),
        ("Nurses share an on-call rotation", {"Site reliability engineering"}),
        ("Containerized freight through the port", {"Docker"}),
        ("Ran two group fitness classes", {"People management"}),
        ("Competitive compensation and benefits", {"Compensation management",
                                                   "Benefits administration"}),
        ("Must pass a background check", {"Background checks"}),
        ("We value diversity and inclusion", {"DEI programs"}),
        ("FLSA status: exempt", {"Employment law"}),
        ("Clinical Nurse Specialist", {"Oracle Clinical"}),
        ("Hired 3 years ago as a cashier", {"Recruiting"}),
        ("Billing team", {"Invoicing"}),
    ],
)
def test_ordinary_words_are_not_false_friends(line: str, false: set[str]) -> None:
    assert not found(line) & false


def test_credentials_are_certifications() -> None:
    for name in ("CPA", "PMP", "Registered Nurse", "Professional Engineer", "BLS", "ACLS",
                 "PALS", "SHRM-CP", "EPA 608", "CDL"):
        assert taxonomy.skills[name].category == "certification", name
