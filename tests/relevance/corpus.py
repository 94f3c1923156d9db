"""A fixed corpus of program descriptions for the judged relevance set.

Written for the relevance tests (not the demo generator): 160 short program
descriptions in English and French, each tagged as a curator would (program
types, target populations, settings, regions), so that practitioners' questions
have entries a practitioner would want and entries that only share filler words.
Each line: id | language | title | summary | program types | populations |
settings | regions (codes separated by spaces; "-" for none)."""

from __future__ import annotations

from dataclasses import dataclass

_ROWS = """
r01|en|Repatriation and reintegration of women and children from camps in north-east Syria|Kazakhstan's Operation Zhusan brought back more than 600 women and children from al-Hol; this review follows their social reintegration over three years.|returnee_repatriation reintegration|women children returnees|camp community|KZ
r02|en|Returning women from the Islamic State: a rehabilitation centre model in Uzbekistan|Women repatriated from Syria and Iraq spent weeks in a rehabilitation centre before resettling with relatives; we assess family reunification and stigma.|returnee_repatriation prison_rehabilitation|women returnees families|rehabilitation_centre|UZ
r03|en|Tajikistan returnee programme: lessons from the first cohorts|Government-led return of wives and children of foreign fighters, with psychosocial support and schooling for children.|returnee_repatriation psychosocial|women children returnees|community|TJ
r04|en|Kosovo's reintegration of repatriated foreign terrorist fighters and their families|Kosovo repatriated over 100 citizens from Syria; prosecution of men, rehabilitation of women and schooling of children are compared.|returnee_repatriation reintegration|foreign_terrorist_fighters women children|prison community|XK
r05|en|Bosnia and Herzegovina: returnees from Syria and Iraq, a multi-agency response|Case management for returning men and women coordinated by social services, police and religious leaders.|returnee_repatriation multi_agency_case_management|returnees foreign_terrorist_fighters|community|BA
r06|fr|Prise en charge des mineurs de retour de zones d'opérations terroristes|Évaluation du dispositif français de suivi des enfants rapatriés de Syrie, de l'aide sociale à l'enfance à la scolarisation.|returnee_repatriation children_rehabilitation|children returnees|family_home school|FR
r07|fr|Belgique : accompagnement des femmes revenues de Syrie|Les femmes rapatriées suivies par les services de probation et les centres de soutien : réinsertion, logement et garde des enfants.|returnee_repatriation reintegration probation_aftercare|women returnees|probation community|BE
r08|en|Germany: counselling for families of returnees from Syria|Advice centres supported families preparing for the return of daughters and grandchildren detained in camps.|family_support returnee_repatriation|families returnees women|family_home|DE
r09|en|The Netherlands: multidisciplinary reintegration of returned women|Returned women were prosecuted, then supported by probation officers and municipal case managers after release.|returnee_repatriation probation_aftercare multi_agency_case_management|women returnees|probation|NL
r10|en|Indonesia: deportees and returnees from Syria in a social rehabilitation programme|The Ministry of Social Affairs ran a month-long programme for deportees, many of them women and children, before return to their villages.|returnee_repatriation reintegration|returnees women children|rehabilitation_centre|ID
r11|fr|Maroc : programme Moussalaha et retour des combattants|Le programme de réconciliation des détenus marocains inclut d'anciens combattants revenus de Syrie et d'Irak.|prison_rehabilitation deradicalisation returnee_repatriation|violent_extremist_offenders foreign_terrorist_fighters|prison|MA
r12|fr|Tunisie : quel accueil pour les rapatriés des zones de conflit ?|Étude qualitative sur les familles tunisiennes qui attendent le retour de proches détenus en Syrie et en Libye.|returnee_repatriation family_support|families returnees|family_home|TN
r13|en|Kenya: returnees from al-Shabaab and the amnesty offer|Young Kenyans who returned from Somalia under the amnesty were supported by county reintegration committees on the coast.|amnesty_defection reintegration|returnees defectors youth|community|KE
r14|en|Women returning from al-Shabaab areas in Kenya's coast region|Kenyan women who came back from Somalia faced stigma; women's groups and imams led acceptance dialogues.|reintegration reconciliation|women returnees receiving_communities|community religious_institution|KE
r15|en|Uganda: reception centre for women and girls returning from armed groups|Girls and young mothers returning from the bush received trauma counselling, schooling and livelihood grants.|reintegration psychosocial livelihoods|women children ex_combatants|rehabilitation_centre|UG
r16|en|Iraq: community acceptance of families with perceived ISIS affiliation|Returns from al-Hol camp to Anbar and Nineveh were prepared through tribal reconciliation pacts.|reconciliation returnee_repatriation|families returnees receiving_communities|camp community|IQ
r17|en|Women returnees in Nigeria's north-east after Boko Haram captivity|Women and girls formerly with Boko Haram were received in communities with psychosocial and livelihood support.|reintegration psychosocial livelihoods|women returnees victims|community|NG
r18|en|Returnee children: schooling after the camps|Teachers in Central Asia describe classroom integration of children repatriated from Syria.|returnee_repatriation children_rehabilitation education_youth|children returnees|school|KZ UZ
d01|en|Colombia: reintegration of FARC ex-combatants after the peace agreement|Territorial training and reintegration spaces offered education, productive projects and political participation to former guerrillas.|ddr reintegration livelihoods|ex_combatants|post_conflict community|CO
d02|en|Colombia's collective reintegration cooperatives|Cooperatives of former FARC members produced coffee and tourism services; economic results and community relations are assessed.|ddr livelihoods reconciliation|ex_combatants receiving_communities|post_conflict|CO
d03|en|Disarmament, demobilisation and reintegration in the Central African Republic|A national programme disarmed armed group members and offered reinsertion kits; we find uneven reintegration.|ddr|ex_combatants|post_conflict|CF
d04|fr|RCA : désarmement, démobilisation et réinsertion des ex-combattants|Évaluation du programme national de DDR et des projets de réduction de la violence communautaire.|ddr reintegration|ex_combatants|post_conflict community|CF
d05|en|DR Congo: community-based reintegration of ex-combatants in North Kivu|Former militia members reintegrated through community projects rather than cantonment.|ddr reintegration|ex_combatants receiving_communities|community post_conflict|CD
d06|fr|RDC : démobilisation des combattants et retour à la vie civile|Le programme de désarmement et de démobilisation dans l'est du pays : réinsertion économique des anciens combattants.|ddr livelihoods|ex_combatants|post_conflict|CD
d07|en|South Sudan DDR: demobilising soldiers into livelihoods|Cantonment, vocational training and cash transfers for demobilised soldiers.|ddr livelihoods|ex_combatants|post_conflict|SS
d08|en|Somalia: the national programme for disengaged combatants|Rehabilitation centres in Mogadishu and Baidoa received low-risk al-Shabaab defectors for education and vocational training.|amnesty_defection exit_disengagement livelihoods|defectors ex_combatants|rehabilitation_centre|SO
d09|en|Nigeria: Operation Safe Corridor for Boko Haram defectors|Repentant fighters followed a deradicalisation, rehabilitation and reintegration programme at a camp in Gombe.|amnesty_defection deradicalisation reintegration|defectors ex_combatants|rehabilitation_centre|NG
d10|en|Philippines: transformation of MILF combatants in Mindanao|Decommissioning of combatants and weapons under the Bangsamoro peace agreement, with socio-economic packages.|ddr reintegration|ex_combatants|post_conflict|PH
d11|en|Afghanistan Peace and Reintegration Program: what went wrong|Reintegrees received cash and jobs, but insecurity and weak vetting undermined the programme.|ddr amnesty_defection|ex_combatants defectors|conflict_zone|AF
d12|fr|Mali : désarmement et réintégration des ex-combattants après l'accord d'Alger|Le programme DDR intègre d'anciens combattants des mouvements armés dans l'armée ou dans des projets socio-économiques.|ddr reintegration|ex_combatants|post_conflict|ML
d13|en|Lake Chad Basin: defectors and the regional strategy|Screening, prosecution, rehabilitation and reintegration of persons associated with Boko Haram in Chad, Cameroon, Niger and Nigeria.|amnesty_defection reintegration policy_coordination|defectors ex_combatants|community|TD CM NE NG
d14|fr|Niger : programme de réinsertion des repentis de Boko Haram à Goudoumaria|Centre de formation pour les ex-associés de Boko Haram dans la région de Diffa : formation professionnelle et retour communautaire.|amnesty_defection reintegration livelihoods|defectors ex_combatants|rehabilitation_centre|NE
d15|fr|Cameroun : comités de désarmement dans le Nord|Accueil des ex-associés de Boko Haram dans les centres de désarmement : témoignages et limites.|ddr amnesty_defection|defectors ex_combatants|rehabilitation_centre|CM
a01|en|Amnesty offers to al-Shabaab members: radio messages and safe exits|Broadcasts encouraging defection were followed by a rise in surrenders in southern Somalia.|amnesty_defection strategic_communication|defectors|conflict_zone|SO
a02|en|Colombia's individual demobilisation programme for deserters|Guerrilla deserters received legal benefits and reintegration support; recidivism was tracked for five years.|amnesty_defection reintegration|defectors ex_combatants|community|CO
a03|en|Why fighters leave: interviews with defectors from Islamic State|Disillusionment, brutality and broken promises drove defection; implications for exit messaging.|amnesty_defection exit_disengagement|defectors foreign_terrorist_fighters|conflict_zone|SY IQ
a04|en|Afghanistan: reconciliation commissions and former Taliban fighters|Local commissions vetted and accepted former fighters; the study tracks their safety and employment.|amnesty_defection reconciliation|defectors ex_combatants|community|AF
e01|en|EXIT-Deutschland: leaving the right-wing extremist scene|Twenty years of helping neo-Nazis leave their groups: case work, safety planning and ideological reflection.|exit_disengagement deradicalisation|defectors at_risk_individuals|community|DE
e02|en|Exit Sweden: an evaluation of support to leave white power groups|Former members coached clients through disengagement, with housing and work as key supports.|exit_disengagement mentoring|defectors|community|SE
e03|en|Norway's exit project for young people in violent groups|Municipal teams, parents and police cooperated to help youth leave racist and violent groups.|exit_disengagement family_support|youth defectors families|community|NO
e04|en|Life After Hate: online outreach to people who want to leave violent far-right movements|A helpline and online outreach programme connected people with former extremists as mentors.|exit_disengagement strategic_communication mentoring|defectors at_risk_individuals|online|US
e05|en|Disengagement support for jihadist sympathisers in Denmark|Mentors and exit counsellors helped people break with extremist milieus in Aarhus.|exit_disengagement mentoring|at_risk_individuals defectors|community|DK
e06|en|Canada: an intervention hub for people leaving extremist groups|Clinicians and social workers support individuals disengaging from violent extremism.|exit_disengagement psychosocial|defectors at_risk_individuals|health_service|CA
e07|fr|France : dispositif de sortie de la radicalisation violente en milieu ouvert|Un programme d'accompagnement individuel pour les personnes placées sous main de justice qui souhaitent se désengager.|exit_disengagement probation_aftercare|violent_extremist_offenders|probation|FR
e08|en|Helping people leave extremist groups: what exit workers say|Interviews with exit practitioners in five European countries on trust, timing and relapse.|exit_disengagement practitioner_training|practitioners defectors|community|DE SE NO DK NL
e09|en|Former extremists as credible messengers in disengagement work|Formers' roles, risks and supervision in exit programmes.|exit_disengagement mentoring|defectors practitioners|community|GB US DE
e10|en|The Aarhus model: mentoring and exit for young people|Police, schools and social services in Aarhus offered mentors to youth at risk and returnees.|mentoring exit_disengagement multi_agency_case_management|youth at_risk_individuals returnees|community|DK
e11|en|Austria: deradicalisation counselling for young jihadists|Counsellors worked with young people and families to leave the jihadist scene.|deradicalisation family_support|youth at_risk_individuals families|family_home|AT
e12|en|Disengaging from the far right online: a chat-based exit service|Anonymous chat counselling for people wanting out of online extremist communities.|exit_disengagement strategic_communication|at_risk_individuals|online|DE
p01|en|Indonesia: deradicalisation of terrorist inmates in high-security prisons|Religious dialogue, family visits and economic support for convicted terrorists; recidivism after release is low but uncertain.|prison_rehabilitation deradicalisation|violent_extremist_offenders prisoners|prison|ID
p02|en|Saudi Arabia's counselling programme for terrorist offenders|Religious re-education, art therapy and family involvement at the Mohammed bin Nayef centre.|prison_rehabilitation deradicalisation family_support|violent_extremist_offenders|rehabilitation_centre|SA
p03|en|Singapore's Religious Rehabilitation Group|Voluntary clerics counsel detainees and their families; aftercare continues after release.|deradicalisation prison_rehabilitation probation_aftercare|violent_extremist_offenders families|prison|SG
p04|en|England and Wales: the Healthy Identity Intervention for extremist offenders|One-to-one psychological intervention for terrorist offenders in custody and on licence.|prison_rehabilitation psychosocial|violent_extremist_offenders|prison probation|GB
p05|fr|France : quartiers d'évaluation de la radicalisation en prison|Évaluation des unités d'évaluation et de prise en charge des détenus radicalisés.|prison_rehabilitation prison_radicalisation_prevention|violent_extremist_offenders prisoners|prison|FR
p06|fr|Programmes de prise en charge des détenus terroristes : bilan|Bilan des programmes de désengagement en détention pour les détenus condamnés pour terrorisme.|prison_rehabilitation exit_disengagement|violent_extremist_offenders|prison|FR BE
p07|en|Kenya prisons: rehabilitation of al-Shabaab convicts|Risk assessment, imam-led dialogue and vocational training in Kamiti and Shimo La Tewa prisons.|prison_rehabilitation deradicalisation livelihoods|violent_extremist_offenders prisoners|prison|KE
p08|en|Preventing radicalisation in Dutch prisons: the terrorist wing|Separation of terrorist detainees and its effect on radicalisation of other inmates.|prison_radicalisation_prevention|prisoners violent_extremist_offenders|prison|NL
p09|en|Pakistan: Sabaoon rehabilitation for boys from militant groups|Army-run residential school for boys recruited by the Taliban in Swat; follow-up after reintegration.|children_rehabilitation deradicalisation|children ex_combatants|rehabilitation_centre|PK
p10|en|Morocco: prisoner reconciliation for violent extremist offenders|Sessions on religion, law and human rights for convicted extremists, with a path to pardon.|prison_rehabilitation deradicalisation|violent_extremist_offenders|prison|MA
p11|en|Nigeria: deradicalisation in Kuje prison|Psychologists and clerics worked with Boko Haram detainees; lessons for prison staff.|prison_rehabilitation deradicalisation practitioner_training|violent_extremist_offenders|prison|NG
p12|en|Risk assessment tools for violent extremist offenders: a review|VERA-2R, ERG22+ and other tools compared for prisons and probation.|prison_rehabilitation probation_aftercare|violent_extremist_offenders practitioners|prison probation|GB NL AU
p13|en|Preventing radicalisation among young inmates in juvenile detention|A programme of education, sport and mentoring in youth detention centres.|prison_radicalisation_prevention mentoring|youth prisoners|juvenile_detention|GB FR
p14|en|Philippines: rehabilitation of Abu Sayyaf detainees|Dialogue, livelihood training and family visits for detained militants in Mindanao.|prison_rehabilitation livelihoods|violent_extremist_offenders|prison|PH
p15|en|Sri Lanka: rehabilitation of former LTTE cadres|Surrendered combatants completed residential rehabilitation before reintegration.|prison_rehabilitation reintegration|ex_combatants defectors|rehabilitation_centre|LK
o01|en|Probation for terrorist offenders released on licence in the UK|Offender managers, police and mentors supervise released terrorism offenders; challenges with compliance and housing.|probation_aftercare multi_agency_case_management|violent_extremist_offenders|probation|GB
o02|en|Aftercare after prison: housing and work for released extremist offenders|Released extremist offenders who found stable housing and work were less likely to reoffend.|probation_aftercare livelihoods reintegration|violent_extremist_offenders|probation community|NL BE
o03|fr|Suivi post-libération des personnes condamnées pour terrorisme|Le programme d'accompagnement des sortants de prison : logement, emploi et suivi judiciaire.|probation_aftercare reintegration|violent_extremist_offenders|probation|FR
o04|en|Australia: post-release supervision and mentoring for terrorist offenders|Community integration support combined with control orders.|probation_aftercare mentoring|violent_extremist_offenders|probation|AU
o05|en|Diversion of young people charged with terrorism offences|Alternatives to prosecution for minors: referral to social programmes instead of court.|alternatives_to_prosecution early_intervention|youth children|community|GB AU
o06|en|Alternatives to prosecution for returnee minors|Prosecutors' discretion and diversion for children returning from conflict zones.|alternatives_to_prosecution returnee_repatriation|children returnees|community|BE NL
c01|en|Kenya coast: community resilience against al-Shabaab recruitment|Youth groups, women's networks and county officials built early warning and dialogue forums in Mombasa and Kwale.|community_resilience early_intervention|youth community_leaders|community|KE
c02|en|Preventing violent extremism through community policing in Kenya|Police-community forums improved trust and reporting in Nairobi's Eastleigh and the coast.|community_policing community_resilience|general_public community_leaders|community|KE
c03|fr|Mali : prévention de l'extrémisme violent par le dialogue communautaire|Des comités de paix locaux dans la région de Mopti ont réuni jeunes, leaders religieux et autorités.|community_resilience reconciliation|youth community_leaders|community|ML
c04|fr|Niger : prévention de la radicalisation des jeunes à Tillabéri|Un projet de cohésion sociale et d'emploi des jeunes dans les zones frontalières.|community_resilience livelihoods|youth|community|NE
c05|fr|Burkina Faso : résilience des communautés face aux groupes armés|Projets de cohésion sociale et de dialogue intercommunautaire dans le Sahel burkinabè.|community_resilience reconciliation|general_public community_leaders|community|BF
c06|en|Tunisia: youth centres and prevention of violent extremism|Youth centres in marginalised neighbourhoods offered activities and civic engagement.|community_resilience education_youth|youth|community|TN
c07|en|Lebanon: PVE through municipal social cohesion programmes|Municipalities hosting refugees ran joint projects for Lebanese and Syrian youth.|community_resilience education_youth|youth receiving_communities|community|LB
c08|en|Bangladesh: community engagement to prevent violent extremism|Religious leaders and teachers promoted tolerance through local dialogue.|community_resilience|community_leaders general_public|religious_institution school|BD
c09|en|Indonesia: village-level prevention with religious organisations|Nahdlatul Ulama and Muhammadiyah networks ran prevention activities in villages.|community_resilience|community_leaders general_public|religious_institution|ID
c10|en|Countering violent extremism grants in US cities|CVE grants funded community programmes; outcomes were hard to measure.|community_resilience policy_coordination|general_public|community|US
c11|en|Somalia: community dialogues in areas recovered from al-Shabaab|Stabilisation programme for local reconciliation and services.|community_resilience reconciliation|general_public community_leaders|post_conflict|SO
c12|en|Mozambique: preventing recruitment of youth in Cabo Delgado|Livelihood and dialogue projects with youth in conflict-affected districts.|community_resilience livelihoods|youth|conflict_zone|MZ
c13|fr|Tchad : prévention de la radicalisation autour du lac Tchad|Sensibilisation communautaire et activités génératrices de revenus pour les jeunes.|community_resilience livelihoods|youth|community|TD
c14|fr|Sénégal : les daaras et la prévention de l'extrémisme|Travail avec les maîtres coraniques pour la prévention et l'éducation.|community_resilience education_youth|children community_leaders|religious_institution school|SN
c15|en|Philippines: community-based prevention in Mindanao|Peace education and local dialogue in conflict-affected municipalities.|community_resilience education_youth|youth general_public|post_conflict|PH
y01|en|Schools in Kenya: building resilience through critical thinking|Classroom curriculum on identity, critical thinking and peaceful debate in secondary schools.|education_youth community_resilience|youth|school|KE
y02|en|Somalia: education for youth at risk of recruitment|Non-formal education and vocational training for out-of-school youth in Mogadishu.|education_youth livelihoods|youth at_risk_individuals|community|SO
y03|en|Jordan: sport and mentoring for youth in vulnerable neighbourhoods|Football clubs and mentors for young men; attitudes measured before and after.|education_youth mentoring|youth|community|JO
y04|fr|France : éducation aux médias et à l'esprit critique au collège|Un programme d'éducation aux médias pour les collégiens face aux théories du complot.|education_youth strategic_communication|youth|school|FR
y05|en|UK schools: teaching about extremism in the classroom|Teachers' confidence in discussing extremism after training.|education_youth practitioner_training|youth practitioners|school|GB
y06|en|University students and online radicalisation: a prevention course|A semester course on disinformation and extremist propaganda.|education_youth strategic_communication|youth|university online|DE
y07|en|Youth mentoring in Minneapolis against al-Shabaab recruitment|Somali-American youth mentoring and after-school programmes.|mentoring education_youth|youth at_risk_individuals|community|US
y08|en|Lebanon: education for children in refugee settings|Psychosocial education for Syrian refugee children to prevent recruitment.|education_youth psychosocial|children|camp|LB
n01|en|Counter-narratives on YouTube: the Redirect Method|Ads redirected people searching for extremist content to counter-narrative videos.|strategic_communication|at_risk_individuals general_public|online|US GB
n02|en|Alternative narratives by former fighters: a video campaign|Testimonies from defectors were shown to youth; engagement and attitude change measured.|strategic_communication|youth general_public|online|IQ
n03|en|Indonesia: online counter-narrative campaigns by young influencers|Campaigns by young creators reached millions; effects on attitudes were modest.|strategic_communication|youth|online|ID
n04|en|Germany: online streetwork in extremist social media spaces|Social workers engaged users in extremist online spaces through direct messages.|strategic_communication early_intervention|at_risk_individuals youth|online|DE
n05|fr|Contre-discours en ligne : bilan d'une campagne gouvernementale|Évaluation de la campagne « Stop djihadisme » sur les réseaux sociaux.|strategic_communication|general_public youth|online|FR
n06|en|Radio dramas against violent extremism in the Sahel|Radio programmes in local languages promoted alternatives to violence in Niger and Chad.|strategic_communication community_resilience|general_public youth|community|NE TD
f01|en|Germany: Hayat family counselling for relatives of radicalised young people|Family counsellors advised parents worried about radicalisation and departures to Syria.|family_support|families|family_home|DE
f02|en|A helpline for families worried about radicalisation|National helpline calls, referrals and outcomes over four years.|family_support early_intervention|families|family_home|FR
f03|fr|Numéro vert et accompagnement des familles de jeunes radicalisés|Le centre national d'assistance et de prévention de la radicalisation : appels, signalements et suivi des familles.|family_support early_intervention|families youth|family_home|FR
f04|en|Mothers schools against extremism|Mothers learned to recognise signs of radicalisation and talk with their children.|family_support community_resilience|women families|family_home community|AT TZ
f05|en|Belgium: support for parents of foreign fighters|Parent networks offered peer support to families of young people who left for Syria.|family_support|families|community|BE
f06|en|Denmark: family support as part of exit work|Parents were involved in the disengagement of their sons from extremist groups.|family_support exit_disengagement|families defectors|family_home|DK
f07|en|Canada: a centre for the prevention of radicalisation leading to violence|Psychosocial support for individuals and families referred by schools and police.|family_support psychosocial early_intervention|families at_risk_individuals|health_service|CA
m01|en|Prevent referrals and Channel mentoring in England|Referral to Channel panels and intervention providers for people at risk of radicalisation.|early_intervention mentoring multi_agency_case_management|at_risk_individuals|community|GB
m02|en|Netherlands: local safety houses and multi-agency case management|Municipal case conferences on individuals at risk of radicalisation.|multi_agency_case_management early_intervention|at_risk_individuals|community|NL
m03|en|Sweden: mentoring young people at risk of violent extremism|Mentors met young people weekly; school attendance and attitudes improved modestly.|mentoring early_intervention|youth at_risk_individuals|community|SE
m04|en|Mentoring for returnees in Denmark|Mentors supported returnees from Syria in housing, work and family matters.|mentoring returnee_repatriation reintegration|returnees foreign_terrorist_fighters|community|DK
m05|en|Training intervention providers: what makes a good mentor|Competences and supervision needs of mentors in deradicalisation.|practitioner_training mentoring|practitioners|community|GB
m06|en|Early intervention with children showing extremist views|Schools and social services referred children for early support.|early_intervention|children|school|GB NL
s01|en|Iraq: mental health support for survivors of ISIS violence|Trauma-focused therapy for Yazidi women survivors.|psychosocial victim_support|victims women|health_service|IQ
s02|en|Syria camps: psychosocial support for children in al-Hol|Child-friendly spaces and psychosocial activities for children held in camps.|psychosocial children_rehabilitation|children|camp|SY
s03|en|Nigeria: trauma healing for women and girls after Boko Haram|Group therapy and community sessions for survivors of abduction.|psychosocial victim_support reintegration|women victims|community|NG
s04|en|Uganda: reintegration of formerly abducted children after the LRA war|Reception centres supported children formerly abducted by the Lord's Resistance Army.|children_rehabilitation reintegration psychosocial|children ex_combatants|rehabilitation_centre|UG
s05|en|Child soldiers in the DRC: release and reintegration|Children released from armed groups received family tracing and education.|children_rehabilitation reintegration|children ex_combatants|community|CD
s06|fr|Enfants associés aux groupes armés au Mali : sortie et réinsertion|Identification, prise en charge psychosociale et réunification familiale des enfants sortis des groupes armés.|children_rehabilitation psychosocial reintegration|children|community|ML
s07|en|Psychosocial support in exit work: the role of therapists|Therapists' contribution to disengagement and trauma work with former extremists.|psychosocial exit_disengagement|defectors|health_service|DE NO
l01|en|Somalia: vocational training for former al-Shabaab members|Skills training and start-up kits; employment after twelve months.|livelihoods reintegration|defectors ex_combatants|rehabilitation_centre|SO
l02|fr|Mali : formation professionnelle des jeunes dans le centre du pays|Emploi des jeunes et prévention du recrutement par les groupes armés à Mopti et Ségou.|livelihoods community_resilience|youth at_risk_individuals|community|ML
l03|en|Nigeria: livelihoods for reintegrated ex-associates in Borno|Cash grants and apprenticeships for former associates of armed groups.|livelihoods reintegration|ex_combatants defectors|community|NG
l04|en|Iraq: jobs for young people in areas retaken from ISIS|Cash-for-work and small business grants for youth in Mosul.|livelihoods community_resilience|youth|post_conflict|IQ
l05|en|Kenya: employment for youth at risk in Mombasa|Apprenticeships and job placement for youth identified as at risk of recruitment.|livelihoods early_intervention|youth at_risk_individuals|community|KE
l06|fr|Niger : activités génératrices de revenus pour les femmes de Diffa|Soutien économique aux femmes déplacées et aux femmes revenues des groupes armés.|livelihoods reintegration|women returnees|community camp|NE
g01|en|Reconciliation between returnees and host communities in Nigeria|Community dialogues prepared the return of former associates of Boko Haram to their villages.|reconciliation reintegration|receiving_communities returnees defectors|community|NG
g02|en|Restorative justice circles with former combatants and victims in Colombia|Encounters between victims and former FARC members; effects on forgiveness and trust.|reconciliation victim_support|victims ex_combatants|community|CO
g03|en|Rwanda: reintegration and reconciliation after the genocide|Solidarity camps and community courts for returning ex-combatants.|reconciliation ddr|ex_combatants receiving_communities|community|RW
g04|en|Acceptance of returning fighters: surveys in Somalia|Community willingness to accept former al-Shabaab members and what affects it.|reconciliation reintegration|receiving_communities defectors|community|SO
g05|en|Victims' voices in prevention programmes|Survivors of terrorism speak in schools; effects on students.|victim_support education_youth|victims youth|school|ES FR
t01|en|Training frontline workers to recognise radicalisation|Evaluation of a training course for teachers, social workers and nurses.|practitioner_training early_intervention|practitioners|school health_service|GB FR
t02|en|Capacity building for prison staff on violent extremism|Training prison officers in Kenya and Uganda to manage extremist prisoners.|practitioner_training prison_radicalisation_prevention|practitioners prisoners|prison|KE UG
t03|en|National action plans for preventing violent extremism in Africa|A review of national strategies in East and West Africa.|policy_coordination community_resilience|general_public|community|KE SO NG ML
t04|fr|Stratégie nationale de prévention de la radicalisation : bilan|Coordination interministérielle et financement des actions locales.|policy_coordination|general_public|community|FR
t05|en|Local prevention networks in Belgium|Municipal coordination of prevention between schools, police and social services.|policy_coordination multi_agency_case_management|practitioners|community|BE
w01|en|What worked and what did not: lessons from ten years of programmes|A cross-cutting review of what has been tried across many evaluations, and what we would do differently.|policy_coordination|general_public|community|001
w02|en|What worked and what did not: a donor's reflection|The donor looks back at what has been tried and at funding decisions.|policy_coordination|practitioners|community|150
w03|en|Lessons learned on monitoring and evaluation|How programmes measured outcomes, and what has been done with the findings.|practitioner_training|practitioners|community|001
w04|en|What has been tried in measuring attitude change|Survey instruments and their limits for evaluation.|practitioner_training|practitioners|community|001
w05|en|How to write a good evaluation terms of reference|Guidance for commissioning evaluations.|practitioner_training|practitioners|community|150
w06|en|What works in Europe? A systematic review of prevention|Meta-analysis of prevention evaluations in European countries.|community_resilience early_intervention|general_public|community|150
w07|en|Annual report of a regional prevention network|Activities, meetings and publications of the network this year.|policy_coordination|practitioners|community|002
w08|en|Ethics of evaluating programmes with vulnerable people|Consent, safety and data protection in evaluations.|practitioner_training|practitioners|community|001
x01|en|Women in preventing violent extremism: a gender analysis|Roles of women as mothers, leaders and practitioners in prevention programmes.|community_resilience|women|community|001
x02|en|Women and girls associated with armed groups in DDR programmes|DDR programmes often overlooked female combatants and wives; gender-sensitive reintegration is reviewed.|ddr reintegration|women ex_combatants|post_conflict|CO CD SS
x03|en|Gender-sensitive reintegration of women in the Sahel|Women formerly associated with jihadist groups in Mali and Niger.|reintegration|women ex_combatants returnees|community|ML NE
x04|fr|Les femmes et la sortie des groupes djihadistes au Sahel|Parcours de femmes sorties des groupes armés au Burkina Faso et au Niger, et leur réinsertion.|reintegration exit_disengagement|women defectors|community|BF NE
x05|en|Returnee women in Central Asia: comparative study|Kazakhstan, Uzbekistan and Tajikistan compared on the rehabilitation of repatriated women.|returnee_repatriation reintegration|women returnees|rehabilitation_centre community|KZ UZ TJ
x06|en|Young women leaving extremist online communities|Exit pathways of young women from online jihadist and far-right networks.|exit_disengagement|women youth defectors|online|GB DE
h01|en|Religious leaders and theological dialogue in prisons|Imams and chaplains in dialogue with extremist prisoners.|deradicalisation prison_rehabilitation|violent_extremist_offenders community_leaders|prison religious_institution|GB FR ID
h02|en|Theological counter-arguments: do they work?|A review of ideology-focused deradicalisation programmes.|deradicalisation|violent_extremist_offenders|prison|SA ID EG
h03|en|Egypt: revisions of militant groups' ideology|Group-level deradicalisation of the Islamic Group in Egyptian prisons.|deradicalisation|violent_extremist_offenders|prison|EG
h04|en|Algeria: reconciliation charter and repentant fighters|Amnesty and reintegration of armed group members after the civil war.|amnesty_defection reconciliation|defectors ex_combatants|post_conflict|DZ
h05|en|Yemen: dialogue committee with al-Qaeda detainees|Religious dialogue and release programme for detainees.|deradicalisation prison_rehabilitation|violent_extremist_offenders|prison|YE
h06|en|Libya: disarmament of militias and integration into security forces|Attempts at demobilising militias after 2011 and their limits.|ddr|ex_combatants|post_conflict|LY
h07|en|Policing with communities in Tunisia|Community police posts and trust with youth in border towns.|community_policing|youth general_public|community|TN
h08|en|Community policing and Muslim communities in the UK|Trust-building between police and communities in prevention work.|community_policing community_resilience|community_leaders general_public|community|GB
h09|en|Online gaming platforms and prevention of extremism|Moderation and outreach on gaming platforms.|strategic_communication|youth|online|001
h10|en|Victims of terrorism: support services in France and Spain|Compensation, psychological support and recognition of victims.|victim_support psychosocial|victims|health_service|FR ES
"""


@dataclass(frozen=True)
class Program:
    id: str
    language: str
    title: str
    summary: str
    program_types: tuple[str, ...]
    target_populations: tuple[str, ...]
    settings: tuple[str, ...]
    regions: tuple[str, ...]
    body: str


# A sentence of ordinary evaluation prose per entry (chosen by position), so each
# entry has the filler words real reports have ("programme", "participants",
# "evaluation", "what worked") without naming anything a query asks about.
_BODY_EN = (
    "The evaluation combined interviews with participants and staff, programme records"
    " and a review of documents. We describe what worked, what did not and why.",
    "Data came from monitoring records, focus groups and a follow-up survey of"
    " participants. Costs and staffing are reported alongside outcomes.",
    "This report summarises the programme's design, implementation and results, and"
    " sets out recommendations for practitioners and funders.",
)
_BODY_FR = (
    "L'évaluation s'appuie sur des entretiens avec les participants et les équipes, et"
    " sur les données de suivi du programme. Nous décrivons ce qui a marché ou non.",
    "Les résultats proviennent d'enquêtes, de groupes de discussion et des dossiers"
    " du programme ; des recommandations sont formulées pour les praticiens.",
)


def _codes(field: str) -> tuple[str, ...]:
    return () if field.strip() == "-" else tuple(field.split())


def load() -> list[Program]:
    out = []
    for n, line in enumerate(r for r in _ROWS.strip().splitlines() if r.strip()):
        pid, lang, title, summary, pt, tp, st, rg = (part.strip() for part in line.split("|"))
        bodies = _BODY_FR if lang == "fr" else _BODY_EN
        out.append(
            Program(
                pid, lang, title, summary, _codes(pt), _codes(tp), _codes(st), _codes(rg),
                bodies[n % len(bodies)],
            )
        )  # fmt: skip
    return out
