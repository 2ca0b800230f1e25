"""What the engine read from a resume and a post, as text a person can check."""

from __future__ import annotations

from services.ats_engine.credentials import EDUCATION_NAMES
from services.ats_engine.jd import JobRequirements
from services.ats_engine.resume import ResumeProfile


def parse_report(profile: ResumeProfile, job: JobRequirements) -> str:
    """Roles with dates, years, degrees, skills and facts of the resume; the post's asks."""
    lines = ["resume"]
    lines.append(f"  headline     {profile.headline or '-'}")
    lines.append(f"  lives in     {profile.country or 'not stated'}"
                 f"{' (open to relocation)' if profile.open_to_relocation else ''}")
    apart = ", internships apart" if profile.internship_years else ""
    lines.append(f"  experience   {profile.total_years:g} years in {len(profile.roles)} dated "
                 f"roles (overlaps once{apart})")
    for role in profile.roles:
        mark = " (internship)" if role.internship else ""
        lines.append(f"    {role.start:%Y-%m} \u2013 {role.end:%Y-%m}  {role.years:4.1f} y  "
                     f"{role.title or '?'} · {role.company or '?'}{mark}")
    lines.append(f"  education    {EDUCATION_NAMES[profile.education_level]}")
    for degree in profile.degrees:
        lines.append(f"    {degree.name} {degree.field}".rstrip())
    lines.append("  licences and certifications")
    seen: set[tuple[str, str]] = set()
    for credential in profile.credentials:
        if (credential.name, credential.status) not in seen:
            seen.add((credential.name, credential.status))
            listed = " (named only in a skills list)" \
                if credential.name in profile.listed_only else ""
            lines.append(f"    {credential.name}: {credential.status}{listed}")
    authorisation = profile.authorisation
    needs = {True: "needs sponsorship", False: "needs no sponsorship", None: "sponsorship not "
             "stated"}[authorisation.needs_sponsorship]
    where = ", ".join(sorted(authorisation.countries)) or "no country stated"
    lines.append(f"  work rights  {where}; {needs}")
    if profile.clearance:
        lines.append(f"  clearance    level {profile.clearance[0]}, {profile.clearance[1]}")
    lines.append("  skills       " + ", ".join(
        f"{skill} ({profile.skill_years[skill]:g} y)" if skill in profile.skill_years else skill
        for skill in sorted(profile.skills)))
    lines.append("post")
    lines.append(f"  must         {', '.join(s.skill for s in job.skills if s.must) or '-'}")
    lines.append(f"  preferred    {', '.join(s.skill for s in job.skills if not s.must) or '-'}")
    lines.append(f"  years        {job.min_years if job.min_years is not None else '-'}")
    lines.append(f"  degree       {EDUCATION_NAMES[job.education_level]}"
                 f"{' (required)' if job.education_must else ''}")
    for requirement in job.hard:
        lines.append(f"  hard         {requirement.kind}: {requirement.name}")
    return "\n".join(lines)
