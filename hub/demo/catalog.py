"""The demo catalogue as data: Lumora Analytics, its people, products, customers, rivals and collateral.

Everything here is fictional. Documents are described, not rendered: hub.demo.documents turns
these entries into real files, and each item's "file" names the builder and entry to use.
"""

COMPANY = "Lumora Analytics"
DOMAIN = "lumora.example"
VIDEO_HOST = "https://videos.example.com"

# --- people -------------------------------------------------------------------------------------

USERS = [
    {"key": "dana", "role": "admin", "name": "Dana Whitfield", "email": f"dana.whitfield@{DOMAIN}"},
    {"key": "priya", "role": "marketing", "name": "Priya Raman", "email": f"priya.raman@{DOMAIN}", "team": "Marketing"},
    {"key": "tom", "role": "marketing", "name": "Tom Okafor", "email": f"tom.okafor@{DOMAIN}", "team": "Marketing"},
    # Two sales teams, so the insights' team filter has something to split.
    {"key": "marcus", "role": "sales", "name": "Marcus Lee", "email": f"marcus.lee@{DOMAIN}", "team": "North America"},
    {"key": "sofia", "role": "sales", "name": "Sofia Alvarez", "email": f"sofia.alvarez@{DOMAIN}", "team": "North America"},
    {"key": "jonas", "role": "sales", "name": "Jonas Berg", "email": f"jonas.berg@{DOMAIN}", "team": "EMEA"},
]

# --- products and pricing -----------------------------------------------------------------------

PRODUCTS = {
    "insight": {
        "name": "Lumora Insight",
        "tagline": "Self-service dashboards on governed metrics, for every team.",
        "summary": (
            "Lumora Insight gives business teams answers without a ticket queue. Analysts define each "
            "metric once in a governed semantic layer; everyone else explores it in dashboards, "
            "scheduled board packs or plain-language questions, always with the same numbers."
        ),
        "features": [
            ("Governed metric layer",
             "Define revenue, margin or readmission rate once, version it, reuse it everywhere."),
            ("Ask in plain language",
             "Type 'net revenue by region last quarter' and get a chart built on certified metrics."),
            ("Board packs on schedule", "PDF and PowerPoint packs refreshed and delivered before the Monday meeting."),
            ("Row-level security", "Each user sees only the regions, cost centres or patients they are entitled to."),
            ("Embedded analytics",
             "Put dashboards inside Salesforce, ServiceNow or your own portal with single sign-on."),
        ],
        "specs": [
            ("Deployment", "SaaS on AWS or Azure; data residency in US, EU, UK or Australia"),
            ("Data refresh", "Every 15 minutes, or streaming with Lumora Pipeline"),
            ("Identity", "SAML 2.0 and OIDC single sign-on, SCIM provisioning"),
            ("Availability", "99.9% uptime SLA (99.95% on Enterprise)"),
            ("Exports", "PDF, PowerPoint, Excel, CSV, scheduled e-mail and Slack"),
            ("Browsers", "Current Chrome, Edge, Safari and Firefox; iOS and Android apps"),
        ],
        "proof": "Harbor & Vale Bank cut month-end reporting from 9 days to 3 with Lumora Insight.",
    },
    "forecast": {
        "name": "Lumora Forecast",
        "tagline": "Driver-based planning and machine-learning forecasts that finance and operations both trust.",
        "summary": (
            "Lumora Forecast replaces spreadsheet forecasts with explainable models. It learns from "
            "history, promotions, prices and external signals such as weather, and it shows planners "
            "which drivers moved each number so they can accept, adjust or override it."
        ),
        "features": [
            ("Demand forecasting", "SKU-by-location forecasts up to 18 months out, refreshed nightly."),
            ("Driver-based plans", "Link revenue, headcount and cost plans to the operational drivers behind them."),
            ("Explainable forecasts", "Every number lists its top drivers, so planners know why it changed."),
            ("Scenario planning", "Compare best, base and worst cases side by side, with one click to publish."),
            ("ERP write-back", "Send approved plans back to SAP, Oracle NetSuite or Microsoft Dynamics."),
        ],
        "specs": [
            ("Forecast grain", "Daily, weekly or monthly; up to 5 million series per tenant"),
            ("Typical accuracy gain", "20-35% lower forecast error (MAPE) in the first two quarters"),
            ("Models", "Gradient boosting, hierarchical reconciliation, classical baselines for comparison"),
            ("Audit", "Every override logged with user, time and reason"),
            ("Integrations", "SAP S/4HANA, Oracle NetSuite, Dynamics 365, Anaplan import, Excel add-in"),
        ],
        "proof": "Kestrel Precision Components lowered forecast error from 23% to 14% in two quarters.",
    },
    "pipeline": {
        "name": "Lumora Pipeline",
        "tagline": "Managed connectors from EHR to ERP, with change data capture and quality checks built in.",
        "summary": (
            "Lumora Pipeline moves data from more than 200 business systems into your warehouse or "
            "into Lumora directly. Connectors are maintained by us, schema changes are handled "
            "automatically, and data quality rules stop bad loads before they reach a dashboard."
        ),
        "features": [
            ("200+ managed connectors",
             "Epic Clarity, Oracle Health, Workday, SAP, Salesforce, Shopify, Tyler Munis and more."),
            ("Change data capture", "Only changed rows move, so large sources refresh in minutes."),
            ("Data quality rules", "Freshness, volume and validity checks with alerts to Slack or Teams."),
            ("Column-level lineage", "See which dashboards a source column feeds before you change it."),
            ("dbt integration", "Run your dbt models after each load and see their results in one place."),
        ],
        "specs": [
            ("Destinations", "Snowflake, BigQuery, Databricks, Amazon Redshift, Azure Synapse, Lumora managed store"),
            ("Sync frequency", "Every 5 minutes to daily, per connector"),
            ("Throughput", "Up to 50 million rows per hour per connector"),
            ("Network", "Private Link, SSH tunnel or on-premises agent for sources behind a firewall"),
            ("Encryption", "TLS 1.2+ in transit, AES-256 at rest, customer-managed keys on Enterprise"),
        ],
        "proof": "County of Eastmere connected 38 departments' systems in 11 weeks.",
    },
    "guard": {
        "name": "Lumora Guard",
        "tagline": "Governance, PHI and PII protection, and audit trails for regulated data.",
        "summary": (
            "Lumora Guard finds sensitive data, masks it by policy and proves to auditors who saw "
            "what. It classifies every column as it arrives, applies masking and access rules "
            "consistently across Lumora and your warehouse, and keeps a seven-year audit trail."
        ),
        "features": [
            ("Automatic classification", "Detects PHI, PII and payment data in new columns within minutes of load."),
            ("Policy-based masking",
             "Mask, hash or tokenise by role; clinicians, analysts and auditors see different views."),
            ("Access reviews", "Quarterly certification campaigns sent to data owners, with one-click revoke."),
            ("Audit trail", "Every query and export logged and retained for seven years, exportable to your SIEM."),
            ("Consent and retention", "Honour opt-outs and retention schedules automatically."),
        ],
        "specs": [
            ("Certifications", "SOC 2 Type II, ISO/IEC 27001, HIPAA-ready with a signed BAA, GDPR DPA"),
            ("Classifiers", "120+ built-in (MRN, NPI, SSN, IBAN, card numbers) plus custom patterns"),
            ("Policy scope", "Lumora, Snowflake, Databricks and BigQuery from one policy set"),
            ("Audit retention", "7 years, immutable storage, export to Splunk, Sentinel or any syslog target"),
            ("Pen testing", "Independent test twice a year; summary letter available under NDA"),
        ],
        "proof": "Mercy Ridge Health System removed PHI from 92% of its circulating spreadsheets.",
    },
}

PRICING = {
    "tiers": [
        {"name": "Starter", "price": 35, "platform_fee": 0, "users": "10-50 users",
         "includes": ["Lumora Insight", "10 connectors", "E-mail support, next business day", "99.9% uptime SLA"]},
        {"name": "Professional", "price": 70, "platform_fee": 12000, "users": "25-500 users",
         "includes": ["Lumora Insight and Pipeline", "100 connectors", "SSO and SCIM",
                      "Business-hours phone support", "99.9% uptime SLA"]},
        {"name": "Enterprise", "price": 120, "platform_fee": 36000, "users": "100+ users",
         "includes": ["Insight, Pipeline, Forecast and Guard", "Unlimited connectors", "Data residency choice",
                      "24/7 support and a named customer success manager", "99.95% uptime SLA"]},
    ],
    "add_ons": [
        ("Lumora Forecast (Professional)", "$25 per user / month", "Included in Enterprise"),
        ("Lumora Guard (Professional)", "$18,000 per environment / year", "Included in Enterprise"),
        ("Sandbox environment", "$6,000 / year", "Full copy for testing releases"),
        ("Premium support", "$15,000 / year", "30-minute response for severity 1, 24/7"),
        ("QuickStart implementation", "$15,000 fixed fee", "Six weeks, two use cases live"),
    ],
    "volume": [
        ("100-249 users", "10%"),
        ("250-499 users", "15%"),
        ("500-999 users", "20%"),
        ("1,000+ users", "Deal desk"),
    ],
    "terms": [
        "Prices are per named user per month, billed annually in advance, in US dollars.",
        "Three-year agreements lock list prices and earn a further 5% discount.",
        "Public sector, education and registered non-profits receive 10% off list.",
        ("Discount authority: account executive up to 10%, regional vice president up to 20%, "
        "deal desk beyond 20% or for non-standard terms."),
        "Platform fees are not discountable below 50% and are never waived in the first year.",
    ],
}

# --- customers (case studies) -------------------------------------------------------------------

CUSTOMERS = {
    "mercy_ridge": {
        "name": "Mercy Ridge Health System",
        "profile": [("Industry", "Healthcare provider"), ("Size", "14 hospitals, 180 clinics, 32,000 staff"),
                    ("Region", "US Midwest"), ("Products", "Lumora Guard, Pipeline, Insight"),
                    ("Live in", "14 weeks")],
        "challenge": [
            ("Mercy Ridge ran three legacy data warehouses inherited through acquisitions. Quality teams "
            "rebuilt CMS quality measures by hand every quarter, a process that took six weeks and "
            "involved more than 400 spreadsheets."),
            ("Many of those spreadsheets carried patient identifiers and travelled by e-mail. A 2022 "
            "internal audit flagged uncontrolled PHI as a high-risk finding with a 12-month deadline."),
        ],
        "solution": [
            ("Lumora Pipeline replicated Epic Clarity, Workday and the supply-chain system into one "
            "Snowflake account using change data capture, so the nightly batch window disappeared."),
            ("Lumora Guard classified 1.2 million columns on arrival and masked 41,000 of them as PHI. "
            "Clinicians see identifiers for their own patients; analysts and the quality team see "
            "de-identified views by default."),
            ("Lumora Insight now hosts the certified quality, readmission and length-of-stay metrics "
            "used by every hospital's leadership team."),
        ],
        "results": [("6 weeks to 4 days", "Quarterly quality reporting cycle"),
                    ("92%", "Fewer spreadsheets containing PHI in circulation"),
                    ("8%", "Lower 30-day readmissions in the heart-failure cohort"),
                    ("$2.4M", "Annual savings from retired warehouses and manual reporting")],
        "quote": ("We finally have one version of the truth that our compliance team is comfortable with.",
                  "Dr. Alicia Moreno, Chief Medical Information Officer"),
    },
    "harbor_vale": {
        "name": "Harbor & Vale Bank",
        "profile": [("Industry", "Regional banking"), ("Size", "$48B in assets, 260 branches"),
                    ("Region", "US East Coast"), ("Products", "Lumora Insight, Forecast"), ("Live in", "10 weeks")],
        "challenge": [
            ("Month-end management reporting took nine working days. Finance maintained 140 Excel "
            "models for deposit and loan forecasting, each owned by one analyst and each with its "
            "own definition of net interest margin."),
            ("Regulators asked for stress-test forecasts that could be explained and reproduced, and "
            "the spreadsheet estate could do neither."),
        ],
        "solution": [
            ("Harbor & Vale defined 62 certified finance metrics in Lumora Insight's governed layer, "
            "from net interest margin to cost-to-income ratio, and retired the competing versions."),
            ("Lumora Forecast now produces deposit and loan forecasts by product and region. Each "
            "forecast lists its drivers, and every analyst override is logged with a reason for the "
            "model-risk team."),
        ],
        "results": [("9 days to 3", "Month-end management reporting"),
                    ("31%", "Lower deposit forecast error"),
                    ("140", "Spreadsheet models retired"),
                    ("7 months", "Payback on the full investment")],
        "quote": ("Our board pack used to be a negotiation. Now it is a report.",
                  "Eleanor Hughes, Chief Financial Officer"),
    },
    "kestrel": {
        "name": "Kestrel Precision Components",
        "profile": [("Industry", "Discrete manufacturing"), ("Size", "6 plants, 4,800 employees"),
                    ("Region", "Germany, Mexico and Ohio"), ("Products", "Lumora Forecast, Pipeline"),
                    ("Live in", "12 weeks")],
        "challenge": [
            ("Kestrel machines precision parts for automotive and aerospace customers. Demand plans "
            "lived in spreadsheets fed by monthly SAP extracts, and forecast error averaged 23%."),
            ("Every miss meant expediting: premium freight, weekend shifts and split batches. "
            "Expediting spend reached EUR 2.9M in the year before the project."),
        ],
        "solution": [
            ("Lumora Pipeline connected SAP S/4HANA and the plants' manufacturing execution systems, "
            "giving planners daily rather than monthly data."),
            ("Lumora Forecast models demand for 38,000 part-customer combinations, using order books, "
            "customer build schedules and seasonality. Planners review exceptions instead of every line."),
        ],
        "results": [("23% to 14%", "Forecast error (MAPE) after two quarters"),
                    ("38%", "Less expediting spend, EUR 1.1M a year"),
                    ("12%", "Lower finished-goods inventory"),
                    ("Daily", "OEE and schedule adherence, previously weekly")],
        "quote": ("Our planners stopped arguing about the data and started planning.",
                  "Stefan Richter, VP Operations"),
    },
    "bramblewood": {
        "name": "Bramblewood Outfitters",
        "profile": [("Industry", "Specialty retail"), ("Size", "210 stores plus e-commerce"),
                    ("Region", "United States and Canada"), ("Products", "Lumora Forecast, Insight"),
                    ("Live in", "9 weeks, expanded in year two")],
        "challenge": [
            ("Bramblewood's sales peak twice a year, and weather decides which weeks. Stores ran out "
            "of winter gear during cold snaps and marked down the surplus after mild ones; markdowns "
            "reached 18% of revenue."),
        ],
        "solution": [
            ("Lumora Forecast produces SKU-by-store forecasts every night using sales history, planned "
            "promotions and ten-day weather forecasts. Store managers get a replenishment dashboard in "
            "Lumora Insight on their tablets."),
            ("After a 40-user pilot in merchandising, Bramblewood expanded to 600 users across stores, "
            "planning and finance in the second year."),
        ],
        "results": [("27%", "Fewer stockouts in peak weeks"),
                    ("4.1 points", "Lower markdowns as a share of revenue"),
                    ("$6.8M", "Gross margin uplift in year one"),
                    ("40 to 600", "Users after expansion")],
        "quote": ("The forecast knew about the cold snap before our buyers did.",
                  "Naomi Park, VP Merchandise Planning"),
    },
    "eastmere": {
        "name": "County of Eastmere",
        "profile": [("Industry", "Local government"), ("Size", "1.1 million residents, 38 departments"),
                    ("Region", "US Pacific Northwest"), ("Products", "Lumora Pipeline, Insight, Guard"),
                    ("Live in", "11 weeks")],
        "challenge": [
            ("The county had committed to publish its budget and service performance online, but data "
            "sat in 38 departmental systems. The budget portal was refreshed once a year by hand."),
            ("Social-services data includes resident PII, so any shared platform had to prove strict "
            "access control before the county attorney would approve it."),
        ],
        "solution": [
            ("Lumora Pipeline connected Tyler Munis, the 311 case system and the permitting platform. "
            "Lumora Guard masks resident PII and logs every access for the records officer."),
            ("Public dashboards in Lumora Insight show spending, 311 response times and permit "
            "backlogs, refreshed weekly."),
        ],
        "results": [("Weekly", "Budget portal updates, previously annual"),
                    ("22%", "Faster 311 response times"),
                    ("1,900", "Staff hours saved per year on reporting")],
        "quote": ("Residents can now see what we see, and our attorney signed off on day one.",
                  "Raymond Ortiz, Chief Information Officer"),
    },
}

# --- competitors (battlecards) ------------------------------------------------------------------

COMPETITORS = {
    "datavane": {
        "name": "Datavane",
        "profile": "Enterprise BI suite with an on-premises heritage; strong with central IT and finance reporting.",
        "strengths": ["Large installed base and existing enterprise licence agreements",
                      "Pixel-perfect operational reports", "Deep relationships with central IT"],
        "weaknesses": ["Six- to nine-month deployments, usually through a systems integrator",
                       "ETL and governance sold as separate products with separate admin consoles",
                       "Cloud edition lags the on-premises release by two versions",
                       "Core-based licensing that is hard to forecast"],
        "win_themes": ["Time to value: two use cases live in six weeks with QuickStart",
                       "One platform: connectors, governance and analytics share one policy set",
                       "Total cost: no servers, no upgrade projects, fewer administrators"],
        "objections": [
            ("We already own Datavane.",
             ("Keep its operational reports. Lumora Pipeline can feed the same warehouse, and most "
             "customers move self-service and governed metrics to Lumora first, then retire Datavane "
             "seats at renewal.")),
            ("Datavane is cheaper because it is in our enterprise agreement.",
             ("Ask for the three-year total: servers, upgrade projects and administrators. Customers "
             "like Harbor & Vale found the administration cost alone exceeded Lumora's subscription.")),
            ("IT standardised on Datavane.",
             ("Lumora runs on the same SSO, SCIM and warehouse, and Guard gives IT more control, not less. "
             "Offer an architecture session with our solutions engineer.")),
        ],
        "landmines": ["How long did your last Datavane upgrade take, and who paid for it?",
                      "How many people administer the Datavane servers today?",
                      "How do you apply the same masking rule in Datavane and in your warehouse?"],
    },
    "quantiq": {
        "name": "Quantiq",
        "profile": "Cloud-native dashboard start-up with a free tier; popular with individual analysts.",
        "strengths": ["Attractive, fast dashboard builder", "Free tier makes it easy to start",
                      "Strong community and templates"],
        "weaknesses": ["No semantic layer: each dashboard defines its own metrics",
                       "No PHI/PII classification or masking, and no BAA for healthcare",
                       "Usage-based credits make annual cost unpredictable",
                       "No forecasting or planning"],
        "win_themes": ["Governed metrics: one definition of revenue across every dashboard",
                       "Compliance: signed BAA, SOC 2 Type II, seven-year audit trail",
                       "Predictable price: per-user pricing with no query credits"],
        "objections": [
            ("Quantiq is free to start.",
             ("Free until the first audit or the first large dataset. Show the credit calculator "
             "from their pricing page at 100 users and daily refreshes; it usually lands above our "
             "Professional tier.")),
            ("Our analysts prefer Quantiq's dashboards.",
             ("Great analysts deserve trusted inputs. Lumora's governed layer means their work is "
             "reused, not rebuilt; offer a side-by-side build in the proof of concept.")),
            ("We can add governance later.",
             ("Retro-fitting definitions across hundreds of dashboards is the expensive path. Ask "
             "how many versions of 'active customer' exist today.")),
        ],
        "landmines": ["Who signs the BAA for the patient data in those dashboards?",
                      "What did last month's Quantiq credit invoice look like?",
                      "How do two dashboards agree on the same revenue number?"],
    },
    "graphwell": {
        "name": "Graphwell",
        "profile": "Financial planning suite sold to CFOs; strong consolidation, weaker operational forecasting.",
        "strengths": ["Trusted by finance teams for consolidation and close",
                      "Large partner ecosystem", "Polished Excel add-in"],
        "weaknesses": ["Forecasts are spreadsheet logic moved to the cloud; machine learning is a paid add-on",
                       "Implementations average five months with a partner",
                       "Weak at SKU- or location-level demand forecasting"],
        "win_themes": ["Explainable machine-learning forecasts included, not an add-on",
                       "Operations and finance on one forecast",
                       "Live in weeks, without a partner"],
        "objections": [
            ("Finance already uses Graphwell for consolidation.",
             ("Keep it. Lumora Forecast writes approved plans into Graphwell through its import API, "
             "so finance keeps its close process and gains a better forecast.")),
            ("Graphwell has machine learning too.",
             ("Ask which tier includes it and what it explains. Lumora shows the top drivers behind "
             "every number and logs every override.")),
        ],
        "landmines": ["How are operational drivers like weather or promotions reflected in the plan?",
                      "What did the Graphwell implementation partner quote for phase two?"],
    },
}

# --- long-form documents: whitepapers, guides, one-pagers -----------------------------------------
# A section is (heading, body); a string in the body is a paragraph, a list is a bullet list.

PAPERS = {
    "healthcare_data": {
        "label": "Whitepaper",
        "title": "The hidden cost of fragmented data in healthcare",
        "subtitle": "Why health systems pay twice for every report, and a 90-day path to a governed foundation",
        "one_section_per_page": True,
        "sections": [
            ("Executive summary", [
                ("The average US health system runs more than 900 applications and at least three data "
                "warehouses. Every quality measure, cost report and board dashboard is assembled from "
                "these sources, often by hand, and often more than once."),
                ("This paper estimates what that fragmentation costs a 10-hospital system, explains why "
                "protected health information (PHI) makes the problem harder than in other industries, "
                "and sets out a practical 90-day plan to fix the foundations without a multi-year "
                "programme."),
                ["Manual reporting consumes 18-25 analyst FTEs in a typical 10-hospital system.",
                 "Duplicate warehouses and licences add $1-3M in annual run costs.",
                 "Uncontrolled PHI in spreadsheets is now a top-five internal audit finding."],
            ]),
            ("The fragmentation problem", [
                ("Acquisitions bring their own EHR instances, finance systems and reporting teams. "
                "Integration projects focus on clinical workflow, so analytics is left to catch up: "
                "the acquired hospital's data lands in yet another warehouse."),
                ("The result is that the same measure, say 30-day readmissions, is calculated in "
                "several places with small differences in exclusions. Leaders spend meeting time "
                "reconciling numbers instead of acting on them."),
            ]),
            ("What it costs", [
                ("We interviewed finance and analytics leaders at 27 health systems. The cost of "
                "fragmentation falls into three buckets:"),
                ["People: analysts rebuilding the same extracts each month, 18-25 FTEs per 10 hospitals.",
                 "Platforms: overlapping warehouses, ETL tools and BI licences, $1-3M per year.",
                 "Decisions: quality and cost initiatives delayed by a full reporting cycle, typically six weeks."],
                ("The third bucket is the hardest to measure and the most expensive. A six-week delay in "
                "spotting a rise in sepsis readmissions is a clinical problem, not an IT one."),
            ]),
            ("Why PHI makes it harder", [
                ("In retail or manufacturing, a shared dataset is an efficiency. In healthcare it is also "
                "a compliance exposure. Every copy of a patient-level extract widens the audit scope, "
                "and spreadsheets rarely carry the access controls of the systems they came from."),
                ("Health systems therefore need governance that travels with the data: classification "
                "at load time, masking by role, and an audit trail that shows who saw which records."),
            ]),
            ("A governed data foundation", [
                "A governed foundation has four parts, and each can be delivered incrementally:",
                ["Managed ingestion from the EHR, ERP and HR systems with change data capture.",
                 "Automatic PHI classification and role-based masking applied at load time.",
                 "A certified metric layer where each measure is defined once.",
                 "Self-service dashboards that read only certified metrics."],
                ("Lumora Pipeline, Guard and Insight provide these parts as one platform, signed under a "
                "single business associate agreement (BAA)."),
            ]),
            ("A 90-day roadmap", [
                ["Days 1-30: connect Epic Clarity or Oracle Health and one finance source; classify PHI.",
                 "Days 31-60: certify ten priority quality measures and publish the first dashboards.",
                 "Days 61-90: retire the first manual report pack and one legacy warehouse feed."],
                ("Mercy Ridge Health System followed this plan and cut its quarterly quality reporting "
                "cycle from six weeks to four days."),
            ]),
            ("About Lumora Analytics", [
                ("Lumora Analytics helps regulated organisations turn fragmented data into governed, "
                "self-service insight. More than 400 organisations, including 60 health systems, use "
                "Lumora Insight, Forecast, Pipeline and Guard."),
            ]),
        ],
    },
    "manufacturing_forecasting": {
        "label": "Whitepaper",
        "title": "From spreadsheets to forecasts: a practical guide for manufacturers",
        "subtitle": "Five steps to lower forecast error and expediting costs in discrete manufacturing",
        "one_section_per_page": True,
        "sections": [
            ("Why spreadsheet forecasts break", [
                ("Most mid-sized manufacturers still forecast demand in spreadsheets fed by monthly ERP "
                "extracts. The model is usually one planner's work, and it is only as current as the "
                "last extract."),
                ("Forecast error of 20-30% is common, and each miss is paid for in expediting, overtime "
                "and excess safety stock."),
            ]),
            ("Step 1: get daily data", [
                ("Connect ERP orders, customer build schedules and MES output directly, so planners "
                "work from yesterday's data rather than last month's."),
            ]),
            ("Step 2: forecast at the right grain", [
                ("Forecast at part-customer level and reconcile upwards; aggregate forecasts hide the "
                "misses that cause expediting."),
                ["Use order books and customer schedules as leading indicators.",
                 "Let the model handle seasonality; let planners handle known one-offs."],
            ]),
            ("Step 3: manage by exception", [
                ("Planners should review the 5-10% of series where the model is uncertain or the "
                "change is large, not every line. Explainable forecasts make this review fast."),
            ]),
            ("Step 4: measure what matters", [
                ["Forecast error (MAPE) and bias by product family.",
                 "Expediting spend per month.",
                 "Finished-goods inventory days."],
            ]),
            ("Step 5: connect the plan to finance", [
                ("Write the approved demand plan back to the ERP and into finance's plan, so operations "
                "and finance work from one number. Kestrel Precision Components cut forecast error "
                "from 23% to 14% and expediting by 38% following these steps."),
            ]),
        ],
    },
    "explainable_finance": {
        "label": "Whitepaper",
        "title": "Explainable forecasting for regulated finance teams",
        "subtitle": "Meeting model-risk expectations without giving up machine learning",
        "one_section_per_page": True,
        "sections": [
            ("Summary", [
                ("Banks and insurers want the accuracy of machine-learning forecasts, but model-risk "
                "policies require that every model be documented, explainable and reproducible."),
                ("This paper shows how explainable forecasting satisfies both, using driver attribution, "
                "override logging and reproducible runs."),
            ]),
            ("What supervisors expect", [
                ["Documented purpose, data and limitations for each model.",
                 "Independent validation and ongoing performance monitoring.",
                 "Clear records of management overlays and who approved them."],
            ]),
            ("Explainability in practice", [
                ("Lumora Forecast lists the top drivers behind every forecast, for example deposit "
                "rates, competitor pricing and seasonality, with their contribution in currency."),
                ("Analysts can override a forecast only with a reason, and every override is kept with "
                "the model version that produced the original number."),
            ]),
            ("Case in point", [
                ("Harbor & Vale Bank replaced 140 spreadsheet models with explainable deposit and loan "
                "forecasts, lowering forecast error by 31% and giving its model-risk team a full audit "
                "trail for every board submission."),
            ]),
        ],
    },
    "platform_overview": {
        "label": "One-pager",
        "title": "Lumora Analytics platform overview",
        "subtitle": "Connect, protect, understand and predict: one platform for governed analytics",
        "sections": [
            ("Why Lumora", [
                ("Organisations in regulated industries need analytics that business teams can use "
                "themselves and that compliance teams can trust. Lumora delivers both on one platform."),
            ]),
            ("Four products, one platform", [
                ["Lumora Pipeline: 200+ managed connectors with change data capture.",
                 "Lumora Guard: PHI and PII classification, masking and a seven-year audit trail.",
                 "Lumora Insight: governed metrics, dashboards and plain-language questions.",
                 "Lumora Forecast: explainable machine-learning forecasts and driver-based plans."],
            ]),
            ("Proof", [
                ["Mercy Ridge Health System: quality reporting from six weeks to four days.",
                 "Harbor & Vale Bank: month-end reporting from nine days to three.",
                 "Bramblewood Outfitters: $6.8M gross margin uplift in year one."],
            ]),
            ("Get started", [
                ("QuickStart puts two use cases live in six weeks for a fixed fee. Contact your Lumora "
                "account executive or visit lumora.example/quickstart."),
            ]),
        ],
    },
    "guard_healthcare": {
        "label": "One-pager",
        "title": "Lumora Guard for healthcare",
        "subtitle": "Share data across the health system without sharing PHI",
        "sections": [
            ("The problem", [
                ("Quality, finance and operations teams need patient-level data. Every extract that "
                "leaves the EHR widens your HIPAA exposure and your audit scope."),
            ]),
            ("What Lumora Guard does", [
                ["Classifies MRNs, names, dates of birth and 120+ other identifiers as data arrives.",
                 "Masks PHI by role: clinicians see their patients, analysts see de-identified data.",
                 "Logs every query and export for seven years, ready for your compliance office.",
                 "Runs access reviews for data owners every quarter."],
            ]),
            ("Compliance", [
                ("Signed business associate agreement (BAA), SOC 2 Type II and ISO/IEC 27001. HITRUST "
                "r2 certification is in progress; ask your account team for the current status letter."),
            ]),
            ("Proof", [
                ("Mercy Ridge Health System masked 41,000 PHI columns and removed PHI from 92% of "
                "circulating spreadsheets within 14 weeks."),
            ]),
        ],
    },
    "forecast_retail": {
        "label": "One-pager",
        "title": "Lumora Forecast for retail",
        "subtitle": "Right product, right store, right week, even when the weather changes",
        "sections": [
            ("Where retailers lose margin", [
                ["Stockouts in peak weeks send customers to competitors.",
                 "Surplus after a mild season ends in markdowns of 15-20% of revenue.",
                 "Store replenishment runs on last year's sales plus a guess."],
            ]),
            ("How Lumora Forecast helps", [
                ("Nightly SKU-by-store forecasts combine sales history, promotions, prices and ten-day "
                "weather forecasts. Store managers get a replenishment list, not a spreadsheet."),
            ]),
            ("Results", [
                ("Bramblewood Outfitters reduced peak-week stockouts by 27%, lowered markdowns by 4.1 "
                "points and gained $6.8M in gross margin in the first year."),
            ]),
        ],
    },
    "cross_sell": {
        "label": "Expansion guide",
        "title": "Adding Lumora Guard to an Insight account",
        "subtitle": "A cross-sell play for financial services customers",
        "sections": [
            ("When to run this play", [
                ["The customer is on Insight Professional with more than 150 users.",
                 "They store customer PII or card data in their warehouse.",
                 "An audit, regulator letter or data-protection review is coming up."],
            ]),
            ("Who to talk to", [
                ("Start with the IT Director or data platform owner, who feels the pain of manual "
                "access reviews. Bring in the CISO once the audit-trail demo has landed."),
            ]),
            ("Talk track", [
                ("\"Your teams already trust Insight's metrics. Guard makes the same platform provably "
                "safe for customer data: classification on load, masking by role and seven years of "
                "audit logs, with no new tool for your analysts to learn.\""),
            ]),
            ("Commercials", [
                ("Guard on Professional is $18,000 per environment per year. Moving to Enterprise "
                "includes Guard and Forecast; show both options in the proposal."),
            ]),
        ],
    },
    "promo": {
        "label": "Promotion",
        "title": "Quarter-end offer: Forecast QuickStart at 20% off",
        "subtitle": "For new Lumora Forecast customers signing before quarter end",
        "sections": [
            ("The offer", [
                ("New Lumora Forecast customers who sign an annual agreement before the end of the "
                "quarter receive the six-week QuickStart implementation at $12,000 instead of $15,000."),
            ]),
            ("Eligibility", [
                ["New Forecast logos only; existing Forecast customers are not eligible.",
                 "Minimum 50 Forecast users on an annual or multi-year term.",
                 "Cannot be combined with other services discounts."],
            ]),
            ("How to apply", [
                ("Add the promotion code FQS-QE20 on the quote. Deal desk approves automatically when "
                "the eligibility rules are met."),
            ]),
        ],
    },
    "onboarding_guide": {
        "label": "Customer guide",
        "title": "Welcome to Lumora: your onboarding guide",
        "subtitle": "What happens in your first 60 days, and what we need from you",
        "sections": [
            ("Your onboarding team", [
                ["Customer success manager: your single point of contact and escalation.",
                 "Implementation consultant: configures connectors, Guard policies and first dashboards.",
                 "Solutions architect: reviews security, SSO and network set-up in week one."],
            ]),
            ("Week 1: foundations", [
                ["Kick-off call and success plan agreed with your executive sponsor.",
                 "Single sign-on (SAML or OIDC) and SCIM provisioning configured.",
                 "Network access for Lumora Pipeline: Private Link, SSH tunnel or on-premises agent."],
            ]),
            ("Weeks 2-4: data", [
                ("We connect your priority sources and run Lumora Guard classification. Your data owners "
                "review the proposed masking policies before any business user gets access."),
            ]),
            ("Weeks 5-6: first use cases", [
                ("Certify the first metrics, publish two dashboards and train your champions with a "
                "half-day workshop."),
            ]),
            ("Days 30-60: adoption", [
                ["Weekly usage report for your sponsor.",
                 "Office hours twice a week for new users.",
                 "First health check and success-plan review on day 60."],
            ]),
            ("Getting help", [
                ("Support portal: support.lumora.example. Severity 1 issues: call the number in your "
                "order form, 24/7 on Enterprise. Documentation: docs.lumora.example."),
            ]),
        ],
    },
    "discovery_guide": {
        "label": "Sales guide",
        "title": "Discovery call guide",
        "subtitle": "Questions that qualify a Lumora opportunity in 30 minutes",
        "sections": [
            ("Before the call", [
                ["Read the account's last 10-K or annual report and note acquisitions.",
                 "Check LinkedIn for data, analytics and compliance leaders.",
                 "Pick the one case study closest to their industry."],
            ]),
            ("Current state", [
                ["How is your monthly management report produced today, and how long does it take?",
                 "How many places calculate your most important metric?",
                 "Where does sensitive data end up once it leaves the source system?"],
            ]),
            ("Impact", [
                ["What happens when the numbers in two reports disagree?",
                 "What did the last audit say about data access?",
                 "What would you do with the analyst time you got back?"],
            ]),
            ("Decision process", [
                ["Who else needs to agree, and who signs?",
                 "Is there budget this fiscal year, and from which line?",
                 "What would make this a priority this quarter?"],
            ]),
            ("Close the call", [
                ("Agree a concrete next step with a date: a tailored demo, a security review or a "
                "value assessment with the ROI calculator."),
            ]),
        ],
    },
    "pipeline_launch": {
        "label": "Announcement",
        "title": "Launch announcement: Lumora Pipeline 2.0",
        "subtitle": "Internal launch brief for the field",
        "sections": [
            ("What is new", [
                ["Change data capture for Epic Clarity, SAP S/4HANA and Oracle databases.",
                 "Data quality rules with Slack and Teams alerts.",
                 "Column-level lineage into Lumora Insight dashboards."],
            ]),
            ("Messaging", [
                ("Pipeline 2.0 makes Lumora the fastest way to get trusted data from core systems into "
                "dashboards: minutes instead of overnight batches."),
            ]),
            ("Availability", [
                ("Generally available to all Professional and Enterprise customers. Existing connectors "
                "upgrade automatically during the next maintenance window."),
            ]),
        ],
    },
}

# --- slide decks --------------------------------------------------------------------------------
# Slide 1 is the title slide; each entry in "slides" is (title, bullets, speaker notes).

DECKS = {
    "healthcare_playbook": {
        "title": "Lumora for Healthcare",
        "subtitle": "Sales playbook for health systems and integrated delivery networks",
        "slides": [
            ("Who we sell to", [  # 2
                "Chief Information Officer: owns the data platform and the budget",
                "Chief Medical Information Officer: champions clinical data quality",
                "VP Quality: needs CMS measures faster and with fewer people",
                "CFO: signs, and cares about cost per report and retired platforms",
            ], "Most wins start with the CMIO or VP Quality and close with the CIO and CFO together."),
            ("Market context", [
                "Consolidation: most systems now run several EHR instances after acquisitions",
                "Margin pressure: operating margins around 1-2% leave no room for duplicate platforms",
                "Audit focus: uncontrolled PHI in spreadsheets is a top internal audit finding",
            ], ""),
            ("The pains we hear", [
                "\"Quality reporting takes six weeks every quarter\"",
                "\"Every hospital calculates readmissions differently\"",
                "\"We cannot give analysts data without exposing PHI\"",
                "\"We pay for three warehouses\"",
            ], "Ask which of these is on this year's priority list; there is usually one with a sponsor."),
            ("Our answer: Pipeline + Guard + Insight", [
                "Pipeline: Epic Clarity and Oracle Health with change data capture",
                "Guard: PHI classified and masked by role at load time, under one BAA",
                "Insight: certified quality measures and dashboards for every hospital",
            ], ""),
            ("Proof: Mercy Ridge Health System", [
                "14 hospitals, 180 clinics, live in 14 weeks",
                "Quality reporting from six weeks to four days",
                "92% fewer spreadsheets with PHI; $2.4M annual savings",
            ], "Dr. Moreno is a willing reference for CMIOs; book through customer marketing two weeks ahead."),
            ("Discovery questions", [
                "How many warehouses and reporting teams do you run today?",
                "How are CMS quality measures produced, and by how many people?",
                "Where does PHI go after it leaves Epic?",
                "What did your last internal audit say about data access?",
            ], ""),
            ("Qualifying the opportunity", [
                "Metrics: reporting cycle time, analyst FTEs, platform run cost",
                "Economic buyer: usually CIO with CFO sign-off above $250k",
                "Decision process: security review, BAA, value analysis committee",
                "Champion: CMIO or VP Quality with a deadline",
            ], "Do not forecast a deal as commit until the security review date is on the calendar."),
            ("Demo flow for healthcare", [
                "Start with a readmissions dashboard a VP Quality recognises",
                "Show the same data as an analyst: PHI masked automatically",
                "Show the audit log: who saw which patient records",
                "End with the Epic Clarity connector and its sync history",
            ], ""),
            ("Competitive landscape", [
                "Datavane: entrenched with IT; win on time to value and one policy set",
                "Quantiq: liked by analysts; win on BAA, masking and governed metrics",
                "Build-your-own on the warehouse: win on audit trail and staff cost",
            ], "Battlecards for Datavane and Quantiq are in the library under Decision."),
            ("Security and compliance answers", [
                "BAA signed as part of the order form",
                "SOC 2 Type II and ISO/IEC 27001; HITRUST r2 in progress",
                "Data stays in the US region; customer-managed keys on Enterprise",
            ], "Never say 'HIPAA certified'; there is no such certification. Say 'HIPAA-ready with a signed BAA'."),
            ("Handling pricing objections from healthcare buyers", [  # 12
                ("\"Too expensive for a health system our size\": price against retired warehouses and "
                "analyst hours, not against other BI tools"),
                ("\"We need to wait for next fiscal year\": propose a QuickStart this year, subscription "
                "starting next fiscal year"),
                "\"Our GPO contract has a better rate\": we honour GPO pricing; check the member tier first",
                "\"Per-user pricing does not fit clinicians\": offer viewer licences for read-only staff",
            ], ("Pricing objections in healthcare are usually budget-timing objections. Find out when the "
               "capital and operating budgets close before offering any discount; the ROI calculator's "
               "healthcare preset is the best opener.")),
            ("Recommended packaging", [
                "Enterprise tier: Insight, Pipeline, Forecast and Guard included",
                "QuickStart: two use cases live in six weeks, fixed fee",
                "Three-year term locks price and adds 5% discount",
            ], ""),
            ("Next steps and resources", [
                "Case study: Mercy Ridge Health System",
                "Whitepaper: The hidden cost of fragmented data in healthcare",
                "Lumora Guard for healthcare one-pager and security datasheet",
                "ROI calculator: Lumora Platform",
            ], "All resources are in Hub; filter by industry Healthcare."),
        ],
    },
    "corporate_pitch": {
        "title": "Lumora Analytics",
        "subtitle": "Governed analytics for regulated industries",
        "slides": [
            ("Every organisation has the same problem", [
                "Data in dozens of systems, numbers that do not agree",
                "Sensitive data copied into spreadsheets",
                "Forecasts built by hand and trusted by no one",
            ], "Pause here and ask which of the three they recognise."),
            ("Meet Lumora", [
                "Pipeline: connect 200+ systems",
                "Guard: protect sensitive data by policy",
                "Insight: answer questions on governed metrics",
                "Forecast: predict with explainable machine learning",
            ], ""),
            ("Why customers choose us", [
                "Live in weeks, not quarters",
                "One platform and one policy set instead of four tools",
                "Compliance built in: SOC 2 Type II, ISO 27001, BAA, GDPR",
            ], ""),
            ("Customer results", [
                "Mercy Ridge Health System: quality reporting from six weeks to four days",
                "Harbor & Vale Bank: month-end from nine days to three",
                "Kestrel Precision Components: 38% less expediting spend",
            ], "Pick the story closest to the prospect's industry and tell it, rather than reading the list."),
            ("How it works", [
                "Connect sources with managed connectors",
                "Classify and mask sensitive data on arrival",
                "Define each metric once; use it everywhere",
            ], ""),
            ("Packaging", [
                "Starter, Professional and Enterprise tiers",
                "Per-user pricing, no query credits",
                "QuickStart implementation for a fixed fee",
            ], "Do not quote prices on this slide; use the price book after discovery."),
            ("Getting started", [
                "A 60-minute discovery workshop",
                "A tailored demo on your own use case",
                "A value assessment with our ROI calculator",
            ], ""),
            ("Thank you", ["lumora.example", "Questions and next steps"], ""),
        ],
    },
    "fs_briefing": {
        "title": "Financial services executive briefing",
        "subtitle": "Faster close, explainable forecasts, auditable data",
        "slides": [
            ("What we hear from CFOs", [
                "Month-end reporting still takes more than a week",
                "Regulators want forecasts that can be explained and reproduced",
                "Customer data is copied into too many places",
            ], ""),
            ("Governed metrics for finance", [
                "Net interest margin, cost-to-income and capital ratios defined once",
                "Board packs generated, not assembled",
            ], ""),
            ("Explainable forecasting", [
                "Deposit and loan forecasts by product and region",
                "Top drivers listed for every number",
                "Overrides logged with reason and approver",
            ], "Model-risk teams love the override log; offer a session with our validation lead."),
            ("Harbor & Vale Bank", [
                "Month-end reporting from nine days to three",
                "31% lower deposit forecast error",
                "Payback in seven months",
            ], ""),
            ("Security and compliance", [
                "SOC 2 Type II, ISO/IEC 27001, customer-managed keys",
                "Data residency in the US, EU or UK",
            ], ""),
            ("Proposed next step", ["Two-hour value workshop with finance and model risk"], ""),
        ],
    },
    "onboarding_kickoff": {
        "title": "Welcome to Lumora",
        "subtitle": "Implementation kick-off",
        "slides": [
            ("Today's goals", [
                "Meet the team on both sides",
                "Agree success criteria and the first two use cases",
                "Confirm the timeline and the decisions we need from you",
            ], ""),
            ("Your Lumora team", [
                "Customer success manager",
                "Implementation consultant",
                "Solutions architect",
            ], "Introduce everyone by name and say how to reach them."),
            ("The first six weeks", [
                "Week 1: SSO, SCIM and network access",
                "Weeks 2-4: connect sources, classify sensitive data",
                "Weeks 5-6: certify metrics, publish dashboards, train champions",
            ], ""),
            ("What we need from you", [
                "A named data owner for each source",
                "Firewall or Private Link approval in week one",
                "Two to four champions for the training workshop",
            ], "The firewall approval is the most common delay; ask who approves it today."),
            ("How we measure success", [
                "Use cases live on the agreed date",
                "Weekly active users at day 60",
                "First manual report retired",
            ], ""),
            ("Next steps", ["Send the success plan within two working days", "Book the security session"], ""),
        ],
    },
    "qbr_template": {
        "title": "Quarterly business review",
        "subtitle": "Customer name, quarter",
        "slides": [
            ("Goals we agreed", ["Goal 1 and its measure", "Goal 2 and its measure"], "Use the success plan wording."),
            ("Adoption", ["Weekly active users and trend", "Top dashboards and their audiences"], ""),
            ("Value delivered", ["Hours saved", "Reports retired", "Business outcomes"], ""),
            ("Support and roadmap", ["Tickets this quarter", "Upcoming releases relevant to you"], ""),
            ("Opportunities", ["Teams not yet using Lumora", "Products that fit the next goal"],
             "Expansion ideas go here only if they tie to a goal the customer named."),
            ("Next quarter", ["Goals", "Owners", "Dates"], ""),
        ],
    },
}

# --- e-mail templates ---------------------------------------------------------------------------

EMAILS = {
    "cfo_first_touch": {
        "title": "First touch: CFO, month-end reporting",
        "subject": "Nine days to close the month?",
        "body": [
            "Hi {{first_name}},",
            ("Most finance teams we speak to at {{company}}'s size spend more than a week producing the "
            "monthly management pack, much of it reconciling numbers from different systems."),
            ("Harbor & Vale Bank cut that from nine working days to three by defining each finance "
            "metric once and generating the board pack from it. Their CFO described the old board "
            "pack as 'a negotiation'."),
            "Would a 20-minute call next week be useful to see whether the same approach fits {{company}}?",
            "Best regards,\n{{sender_name}}\nLumora Analytics",
        ],
        "notes": ["Send Tuesday to Thursday morning in the prospect's time zone.",
                  "Follow up after 3 working days with the Harbor & Vale case study."],
    },
    "post_demo": {
        "title": "Follow-up after a demo",
        "subject": "Lumora demo recap and next steps",
        "body": [
            "Hi {{first_name}},",
            "Thank you for your time today. As promised, here is a short recap:",
            ("- What we showed: {{demo_topics}}\n- What you asked for: {{open_questions}}\n"
            "- Next step: {{next_step}} on {{date}}"),
            ("I have attached the {{case_study}} case study and our security datasheet, which your IT "
            "team asked about."),
            "Kind regards,\n{{sender_name}}",
        ],
        "notes": ["Send within 24 hours of the demo.", "Attach at most two documents."],
    },
    "renewal_expansion": {
        "title": "Renewal and expansion check-in",
        "subject": "Your Lumora renewal and the year ahead",
        "body": [
            "Hi {{first_name}},",
            ("Your Lumora subscription renews on {{renewal_date}}. Over the past year your team has "
            "{{value_summary}}."),
            ("Before we prepare the renewal, I would like to understand next year's goals. Several "
            "customers in {{industry}} have added Lumora Guard or Forecast at renewal; a three-year "
            "term also locks your current prices."),
            "Could we book 30 minutes in the next two weeks?",
            "Thanks,\n{{sender_name}}",
        ],
        "notes": ["Send 120 days before renewal.", "Pull usage figures from the last QBR."],
    },
    "welcome": {
        "title": "Welcome e-mail for new customers",
        "subject": "Welcome to Lumora: your first week",
        "body": [
            "Hi {{first_name}},",
            "Welcome to Lumora Analytics. I am {{csm_name}}, your customer success manager.",
            ("This week we will hold the kick-off call, configure single sign-on and agree the "
            "network set-up for your first data sources. The onboarding guide attached explains "
            "the first 60 days."),
            "Looking forward to working together,\n{{csm_name}}",
        ],
        "notes": ["Sent by the CSM on the day the order form is countersigned."],
    },
}

# --- workbooks ----------------------------------------------------------------------------------
# An ROI model: inputs become named cells; results are Excel formulas over those names.

ROI_MODELS = {
    "platform": {
        "title": "Lumora Platform ROI calculator",
        "inputs": [
            ("analysts", "Analysts producing recurring reports", 20, "people"),
            ("hours_per_week", "Hours per analyst per week on manual reporting", 14, "hours"),
            ("hourly_cost", "Fully loaded cost per analyst hour", 68, "USD"),
            ("time_saved", "Share of manual reporting time saved", 0.6, "%"),
            ("platform_run_cost", "Annual cost of platforms retired", 450000, "USD"),
            ("users", "Lumora users", 250, "users"),
            ("price_per_user", "Price per user per month (Enterprise)", 120, "USD"),
            ("discount", "Negotiated discount", 0.15, "%"),
            ("platform_fee", "Annual platform fee", 36000, "USD"),
            ("implementation", "One-off implementation (QuickStart)", 15000, "USD"),
        ],
        "results": [
            ("labour_savings", "Annual labour savings", "=analysts*hours_per_week*48*hourly_cost*time_saved"),
            ("annual_benefit", "Total annual benefit", "=labour_savings+platform_run_cost"),
            ("annual_cost", "Annual Lumora subscription", "=users*price_per_user*12*(1-discount)+platform_fee"),
            ("three_year_net", "Three-year net benefit", "=3*(annual_benefit-annual_cost)-implementation"),
            ("three_year_roi", "Three-year ROI", "=three_year_net/(3*annual_cost+implementation)"),
            ("payback_months", "Payback period (months)", "=(annual_cost+implementation)/(annual_benefit/12)"),
        ],
        "about": [
            "Blue figures on yellow are assumptions: replace them with the customer's own figures.",
            "48 working weeks per year are assumed for labour savings.",
            "Healthcare preset: 25 analysts, 16 hours, $72 per hour; Mercy Ridge saved $2.4M a year.",
            "Share the workbook, not screenshots, so the customer's finance team can check the formulas.",
        ],
    },
    "retail_inventory": {
        "title": "Lumora Forecast retail inventory ROI calculator",
        "inputs": [
            ("revenue", "Annual revenue", 300000000, "USD"),
            ("gross_margin", "Gross margin", 0.42, "%"),
            ("markdown_rate", "Markdowns as a share of revenue", 0.16, "%"),
            ("markdown_reduction", "Expected markdown reduction (points)", 0.01, "%"),
            ("stockout_sales", "Sales lost to stockouts", 0.03, "%"),
            ("stockout_recovery", "Share of lost sales recovered", 0.2, "%"),
            ("users", "Lumora Forecast users", 300, "users"),
            ("price_per_user", "Price per user per month", 95, "USD"),
            ("platform_fee", "Annual platform fee", 36000, "USD"),
        ],
        "results": [
            ("markdown_savings", "Annual markdown savings", "=revenue*markdown_reduction"),
            ("recovered_margin", "Margin on recovered sales", "=revenue*stockout_sales*stockout_recovery*gross_margin"),
            ("annual_benefit", "Total annual benefit", "=markdown_savings+recovered_margin"),
            ("annual_cost", "Annual subscription", "=users*price_per_user*12+platform_fee"),
            ("first_year_roi", "First-year ROI", "=(annual_benefit-annual_cost)/annual_cost"),
        ],
        "about": [
            "Bramblewood Outfitters reduced markdowns by 4.1 points; 1 point is a conservative default.",
            "Use the customer's last full fiscal year for revenue and markdowns.",
        ],
    },
}

PLAN = {
    "title": "Lumora implementation plan",
    "about": [
        "Copy this plan for each new customer and share it with their project lead at kick-off.",
        "Update the Status column every week; the progress cell below the tasks updates itself.",
        "Weeks count from the kick-off call. Most Lumora QuickStart projects go live in week 6.",
    ],
    "columns": ("Week", "Task", "Owner", "Customer input needed", "Status"),
    "tasks": [
        (1, "Kick-off and success plan", "Customer success manager", "Executive sponsor attends", "Not started"),
        (1, "Configure SSO and SCIM", "Solutions architect", "Identity provider admin", "Not started"),
        (1, "Approve network access for Pipeline", "Customer IT", "Firewall change or Private Link", "Not started"),
        (2, "Connect priority source 1", "Implementation consultant", "Read-only service account", "Not started"),
        (2, "Connect priority source 2", "Implementation consultant", "Read-only service account", "Not started"),
        (3, "Run Guard classification", "Implementation consultant", "None", "Not started"),
        (4, "Review masking policies", "Customer data owners", "Sign-off per source", "Not started"),
        (5, "Certify first ten metrics", "Customer analysts", "Metric definitions", "Not started"),
        (5, "Build first two dashboards", "Implementation consultant", "Feedback session", "Not started"),
        (6, "Champion training workshop", "Customer success manager", "Two to four champions", "Not started"),
        (6, "Go-live and hypercare", "Implementation consultant", "Go/no-go decision", "Not started"),
        (9, "Day-60 health check", "Customer success manager", "Usage review", "Not started"),
    ],
}

QUESTIONNAIRE = {
    "title": "Lumora security questionnaire: standard answers",
    "about": [
        "Approved answers about Lumora Analytics' security, privacy and compliance programme.",
        "Copy answers word for word; anything not covered here goes to security@lumora.example.",
        "Documents in the Evidence column are shared only under NDA.",
    ],
    "columns": ("Domain", "Question", "Answer", "Evidence"),
    "rows": [
        ("Certifications", "Which security certifications do you hold?",
         "SOC 2 Type II (annual) and ISO/IEC 27001:2022. HITRUST r2 in progress.", "SOC 2 report under NDA"),
        ("Healthcare", "Will you sign a business associate agreement?",
         "Yes. Our standard BAA is part of the order form for Guard and Enterprise customers.", "BAA template"),
        ("Encryption", "How is customer data encrypted?",
         "TLS 1.2 or higher in transit; AES-256 at rest; customer-managed keys on Enterprise.", "Security whitepaper"),
        ("Access", "How is employee access to customer data controlled?",
         "Just-in-time access with manager approval, logged and reviewed quarterly.", "Access policy"),
        ("Residency", "Where is data stored?",
         "In the region chosen at signup: US, EU (Frankfurt), UK (London) or Australia (Sydney).", "DPA annex"),
        ("Resilience", "What are your RPO and RTO?",
         "RPO 1 hour, RTO 4 hours, tested twice a year.", "DR test summary"),
        ("Testing", "Do you perform penetration tests?",
         "Independent penetration tests twice a year; summary letter available under NDA.", "Pen test letter"),
        ("Incidents", "How quickly do you notify customers of a breach?",
         "Within 48 hours of confirmation, or sooner where the law requires.", "Incident response policy"),
        ("Privacy", "Do you act as a processor under GDPR?",
         "Yes. Our DPA includes the EU standard contractual clauses and the UK addendum.", "DPA"),
        ("Sub-processors", "Which sub-processors do you use?",
         "AWS, Microsoft Azure, Zendesk and Snowflake; the list is published with 30 days' notice of changes.",
         "Sub-processor list"),
    ],
}

# --- the library --------------------------------------------------------------------------------
# "file" is (file name, builder, entry); "url" is used for videos instead. "expires_in" is days
# from today (negative: already expired). "history" overrides the usual workflow for the status;
# actors are "owner", "peer" (the other marketing user) or a user key.

PLATFORM, INSIGHT, FORECAST, PIPELINE, GUARD = (
    "Lumora Platform", "Lumora Insight", "Lumora Forecast", "Lumora Pipeline", "Lumora Guard")
HEALTH, FINANCE, MANUFACTURING, RETAIL, PUBLIC = (
    "Healthcare", "Financial services", "Manufacturing", "Retail", "Public sector")
CFO, CIO, VP_SALES, IT_DIRECTOR, OPERATIONS = ("CFO", "CIO", "VP Sales", "IT Director", "Operations manager")
NA, EMEA, GLOBAL = "North America", "EMEA", "Global"

ITEMS = [
    # one-pagers
    {"title": "Lumora Analytics platform overview", "content_type": "one_pager", "stages": ["awareness"],
     "product": PLATFORM, "persona": CIO, "region": GLOBAL, "tags": "overview, platform, elevator pitch",
     "description": "The whole platform on one page: four products, three proof points, how to start.",
     "owner": "priya", "file": ("Lumora platform overview.pdf", "paper", "platform_overview"),
     "expires_in": 330, "approval": "Brand and product marketing sign-off"},
    {"title": "Lumora Insight one-pager", "content_type": "one_pager", "stages": ["awareness", "consideration"],
     "product": INSIGHT, "persona": IT_DIRECTOR, "region": GLOBAL, "tags": "dashboards, self-service, semantic layer",
     "description": "What Lumora Insight does, its top five capabilities and the Harbor & Vale result.",
     "owner": "tom", "file": ("Lumora Insight one-pager.pdf", "one_pager", "insight")},
    {"title": "Lumora Guard for healthcare", "content_type": "one_pager", "stages": ["awareness", "consideration"],
     "product": GUARD, "industry": HEALTH, "persona": CIO, "region": NA, "tags": "phi, hipaa, baa, compliance",
     "description": "PHI protection in one page for CIOs and compliance officers at health systems.",
     "owner": "priya", "file": ("Lumora Guard for healthcare.pdf", "paper", "guard_healthcare"),
     "expires_in": 12, "approval": "Compliance checked the HITRUST wording; recheck when r2 is awarded"},
    {"title": "Lumora Forecast for retail", "content_type": "one_pager", "stages": ["awareness"],
     "product": FORECAST, "industry": RETAIL, "persona": OPERATIONS, "region": NA,
     "tags": "demand forecasting, markdowns, stockouts", "owner": "tom",
     "description": "How SKU-by-store forecasts cut stockouts and markdowns, with the Bramblewood numbers.",
     "file": ("Lumora Forecast for retail.docx", "paper", "forecast_retail")},
    {"title": "Cross-sell play: adding Lumora Guard to Insight accounts", "content_type": "one_pager",
     "stages": ["expansion"], "product": GUARD, "industry": FINANCE, "persona": IT_DIRECTOR, "region": GLOBAL,
     "tags": "cross-sell, expansion, pii", "owner": "priya",
     "description": "When to run the Guard cross-sell, who to talk to, the talk track and the commercials.",
     "file": ("Cross-sell play - Guard for Insight accounts.docx", "paper", "cross_sell")},
    {"title": "Quarter-end offer: Forecast QuickStart at 20% off", "content_type": "one_pager",
     "stages": ["decision"], "product": FORECAST, "persona": CFO, "region": NA,
     "tags": "promotion, quickstart, quarter end", "owner": "tom",
     "description": "Last quarter's services promotion for new Forecast logos. Expired: do not send.",
     "file": ("Forecast QuickStart quarter-end offer.pdf", "paper", "promo"),
     "expires_in": -9, "approval": "Deal desk confirmed the promotion code and end date"},
    # case studies
    {"title": "Case study: Mercy Ridge Health System", "content_type": "case_study",
     "stages": ["consideration", "decision"], "product": GUARD, "industry": HEALTH, "persona": CIO, "region": NA,
     "tags": "epic, phi, quality reporting, reference", "owner": "priya",
     "description": "14 hospitals cut quality reporting from six weeks to four days and removed PHI from spreadsheets.",
     "file": ("Mercy Ridge Health System - case study.pdf", "case_study", "mercy_ridge"),
     "approval": "Customer approved the quote and figures in writing"},
    {"title": "Case study: Harbor & Vale Bank", "content_type": "case_study", "stages": ["consideration", "decision"],
     "product": INSIGHT, "industry": FINANCE, "persona": CFO, "region": NA,
     "tags": "month-end close, forecasting, model risk", "owner": "tom",
     "description": "A $48B regional bank cut month-end reporting from nine days to three; payback in seven months.",
     "file": ("Harbor & Vale Bank - case study.pdf", "case_study", "harbor_vale"),
     "approval": "Customer approved the quote and figures in writing"},
    {"title": "Case study: Kestrel Precision Components", "content_type": "case_study", "stages": ["consideration"],
     "product": FORECAST, "industry": MANUFACTURING, "persona": OPERATIONS, "region": EMEA,
     "tags": "sap, demand planning, expediting", "owner": "tom",
     "description": "Six plants lowered forecast error from 23% to 14% and expediting spend by 38%.",
     "file": ("Kestrel Precision Components - case study.docx", "case_study", "kestrel")},
    {"title": "Case study: Bramblewood Outfitters", "content_type": "case_study", "stages": ["decision", "expansion"],
     "product": FORECAST, "industry": RETAIL, "persona": VP_SALES, "region": NA,
     "tags": "weather, markdowns, land and expand", "owner": "priya", "status": "in_review",
     "description": "Weather-aware forecasts for 210 stores: $6.8M margin uplift and growth from 40 to 600 users.",
     "file": ("Bramblewood Outfitters - case study.pdf", "case_study", "bramblewood"),
     "submit": "Ready for review; the customer's PR team has the draft too"},
    {"title": "Case study: County of Eastmere", "content_type": "case_study", "stages": ["consideration"],
     "product": PIPELINE, "industry": PUBLIC, "persona": IT_DIRECTOR, "region": NA,
     "tags": "open data, 311, public sector", "owner": "tom", "status": "draft",
     "description": "38 departments connected in 11 weeks; the budget portal now updates weekly.",
     "file": ("County of Eastmere - case study.docx", "case_study", "eastmere")},
    # slide decks
    {"title": "Healthcare sales playbook", "content_type": "slide_deck", "stages": ["consideration", "decision"],
     "product": GUARD, "industry": HEALTH, "persona": CIO, "region": NA,
     "tags": "playbook, pricing objections, discovery, hipaa", "owner": "priya",
     "description": "14 slides for selling to health systems: personas, discovery, demo flow, competitors "
                    "and pricing objections, with speaker notes.",
     "file": ("Lumora healthcare sales playbook.pptx", "deck", "healthcare_playbook"),
     "expires_in": 200,
     "history": [("in_review", "owner", "New pricing-objections slide for healthcare buyers"),
                 ("draft", "dana", "Legal: 'HIPAA certified' is not a real certification; reword slide 11"),
                 ("in_review", "owner", "Reworded to 'HIPAA-ready with a signed BAA'"),
                 ("approved", "dana", "Legal reviewed pricing language")]},
    {"title": "Lumora corporate pitch deck", "content_type": "slide_deck", "stages": ["awareness", "consideration"],
     "product": PLATFORM, "persona": VP_SALES, "region": GLOBAL, "tags": "pitch, first meeting, overview",
     "description": "The standard first-meeting deck: problem, platform, proof and packaging.",
     "owner": "tom", "file": ("Lumora corporate pitch deck.pptx", "deck", "corporate_pitch")},
    {"title": "Financial services executive briefing", "content_type": "slide_deck", "stages": ["consideration"],
     "product": INSIGHT, "industry": FINANCE, "persona": CFO, "region": EMEA,
     "tags": "cfo, model risk, board pack", "owner": "tom",
     "description": "A short CFO briefing on faster close and explainable forecasting, with Harbor & Vale.",
     "file": ("Financial services executive briefing.pptx", "deck", "fs_briefing")},
    {"title": "Customer onboarding kick-off deck", "content_type": "slide_deck", "stages": ["onboarding"],
     "product": PLATFORM, "persona": IT_DIRECTOR, "region": GLOBAL, "tags": "kick-off, implementation, csm",
     "description": "Used by customer success in the first implementation call.",
     "owner": "priya", "file": ("Onboarding kick-off.pptx", "deck", "onboarding_kickoff")},
    {"title": "Quarterly business review template", "content_type": "slide_deck", "stages": ["expansion"],
     "product": PLATFORM, "persona": VP_SALES, "region": GLOBAL, "tags": "qbr, renewal, adoption",
     "description": "Template for customer QBRs: goals, adoption, value, roadmap and expansion ideas.",
     "owner": "priya", "status": "draft", "file": ("QBR template.pptx", "deck", "qbr_template")},
    # datasheets
    {"title": "Lumora Insight datasheet", "content_type": "datasheet", "stages": ["consideration"],
     "product": INSIGHT, "persona": IT_DIRECTOR, "region": GLOBAL, "tags": "technical, specifications, sso",
     "description": "Capabilities and technical specifications of Lumora Insight.",
     "owner": "tom", "file": ("Lumora Insight datasheet.pdf", "datasheet", "insight")},
    {"title": "Lumora Forecast datasheet", "content_type": "datasheet", "stages": ["consideration"],
     "product": FORECAST, "persona": OPERATIONS, "region": GLOBAL, "tags": "technical, machine learning, erp",
     "description": "Forecast grain, models, audit and integrations at a glance.",
     "owner": "tom", "file": ("Lumora Forecast datasheet.pdf", "datasheet", "forecast")},
    {"title": "Lumora Pipeline connector datasheet", "content_type": "datasheet",
     "stages": ["consideration", "decision"],
     "product": PIPELINE, "persona": IT_DIRECTOR, "region": GLOBAL, "tags": "connectors, cdc, integration",
     "description": "Connectors, destinations, sync frequency and network options for Lumora Pipeline.",
     "owner": "priya", "file": ("Lumora Pipeline datasheet.pdf", "datasheet", "pipeline")},
    {"title": "Lumora Guard security and compliance datasheet", "content_type": "datasheet", "stages": ["decision"],
     "product": GUARD, "industry": HEALTH, "persona": IT_DIRECTOR, "region": GLOBAL,
     "tags": "security, soc 2, hipaa, gdpr", "owner": "priya",
     "description": "Certifications, classifiers, audit retention and testing for security reviews.",
     "file": ("Lumora Guard datasheet.pdf", "datasheet", "guard"),
     "expires_in": 25, "approval": "Security team confirmed certifications; SOC 2 report renews next month"},
    # whitepapers
    {"title": "Whitepaper: The hidden cost of fragmented data in healthcare", "content_type": "whitepaper",
     "stages": ["awareness"], "product": PLATFORM, "industry": HEALTH, "persona": CIO, "region": NA,
     "tags": "thought leadership, phi, data strategy", "owner": "priya",
     "description": "What fragmentation costs a 10-hospital system and a 90-day plan to fix it.",
     "file": ("The hidden cost of fragmented data in healthcare.pdf", "paper", "healthcare_data")},
    {"title": "Whitepaper: From spreadsheets to forecasts in manufacturing", "content_type": "whitepaper",
     "stages": ["awareness", "consideration"], "product": FORECAST, "industry": MANUFACTURING,
     "persona": OPERATIONS, "region": EMEA, "tags": "s&op, demand planning, thought leadership", "owner": "tom",
     "description": "Five practical steps to lower forecast error and expediting costs.",
     "file": ("From spreadsheets to forecasts.docx", "paper", "manufacturing_forecasting")},
    {"title": "Whitepaper: Explainable forecasting for regulated finance", "content_type": "whitepaper",
     "stages": ["awareness", "consideration"], "product": FORECAST, "industry": FINANCE, "persona": CFO,
     "region": EMEA, "tags": "model risk, explainability, banking", "owner": "tom", "status": "in_review",
     "description": "How explainable forecasts meet model-risk expectations.",
     "file": ("Explainable forecasting for regulated finance.pdf", "paper", "explainable_finance"),
     "submit": "Please check the supervisory expectations section with legal"},
    # battlecards
    {"title": "Battlecard: Lumora vs Datavane", "content_type": "battlecard", "stages": ["decision"],
     "product": PLATFORM, "persona": CIO, "region": GLOBAL, "tags": "competitive, datavane, objection handling",
     "description": "Strengths, weaknesses, win themes, objection handling and landmine questions vs Datavane.",
     "owner": "tom", "file": ("Battlecard - Lumora vs Datavane.pdf", "battlecard", "datavane"),
     "approval": "Competitive claims checked against public sources"},
    {"title": "Battlecard: Lumora vs Quantiq", "content_type": "battlecard", "stages": ["consideration", "decision"],
     "product": INSIGHT, "persona": IT_DIRECTOR, "region": GLOBAL, "tags": "competitive, quantiq, objection handling",
     "description": "Win against the free-tier dashboard tool on governance, compliance and predictable cost.",
     "owner": "tom", "file": ("Battlecard - Lumora vs Quantiq.docx", "battlecard", "quantiq"),
     "approval": "Competitive claims checked against public sources"},
    {"title": "Battlecard: Lumora Forecast vs Graphwell", "content_type": "battlecard", "stages": ["decision"],
     "product": FORECAST, "persona": CFO, "region": GLOBAL, "tags": "competitive, graphwell, fp&a",
     "description": "Positioning Forecast alongside or against the Graphwell planning suite.",
     "owner": "tom", "status": "draft", "file": ("Battlecard - Forecast vs Graphwell.md", "battlecard", "graphwell"),
     "history": [("in_review", "owner", "First version from win/loss interviews"),
                 ("draft", "peer", "Graphwell pricing came from a lost deal and cannot be cited; remove it")]},
    # e-mail templates
    {"title": "E-mail: first touch for CFOs", "content_type": "email_template", "stages": ["awareness"],
     "product": INSIGHT, "industry": FINANCE, "persona": CFO, "region": NA, "tags": "outbound, prospecting, sdr",
     "description": "Cold e-mail about month-end reporting, built on the Harbor & Vale story.",
     "owner": "priya", "file": ("First touch - CFO.txt", "email", "cfo_first_touch")},
    {"title": "E-mail: follow-up after a demo", "content_type": "email_template",
     "stages": ["consideration", "decision"], "product": PLATFORM, "persona": VP_SALES, "region": GLOBAL,
     "tags": "follow-up, demo", "owner": "priya", "file": ("Post-demo follow-up.md", "email", "post_demo"),
     "description": "Recap, open questions and a dated next step, sent within 24 hours of a demo."},
    {"title": "E-mail: renewal and expansion check-in", "content_type": "email_template", "stages": ["expansion"],
     "product": PLATFORM, "persona": CFO, "region": GLOBAL, "tags": "renewal, expansion, csm",
     "description": "Sent 120 days before renewal to open the expansion conversation.",
     "owner": "tom", "file": ("Renewal and expansion check-in.txt", "email", "renewal_expansion")},
    {"title": "E-mail: welcome to Lumora", "content_type": "email_template", "stages": ["onboarding"],
     "product": PLATFORM, "persona": IT_DIRECTOR, "region": GLOBAL, "tags": "welcome, onboarding, csm",
     "description": "The customer success manager's first e-mail to a new customer.",
     "owner": "priya", "status": "in_review", "file": ("Welcome to Lumora.md", "email", "welcome")},
    # videos
    {"title": "Video: Lumora Insight product tour", "content_type": "video", "stages": ["awareness", "consideration"],
     "product": INSIGHT, "persona": VP_SALES, "region": GLOBAL, "tags": "demo, product tour",
     "description": "A four-minute tour of governed metrics, dashboards and plain-language questions.",
     "owner": "tom", "url": f"{VIDEO_HOST}/lumora/insight-product-tour"},
    {"title": "Video: Mercy Ridge customer story", "content_type": "video", "stages": ["consideration"],
     "product": GUARD, "industry": HEALTH, "persona": CIO, "region": NA, "tags": "customer story, reference, epic",
     "description": "Dr. Alicia Moreno on replacing three warehouses and protecting PHI.",
     "owner": "priya", "url": f"{VIDEO_HOST}/lumora/mercy-ridge-customer-story",
     "approval": "Customer approved the final cut"},
    {"title": "Video: Lumora Guard in three minutes", "content_type": "video", "stages": ["consideration", "decision"],
     "product": GUARD, "persona": IT_DIRECTOR, "region": GLOBAL, "tags": "demo, masking, audit trail",
     "description": "Classification, masking by role and the audit trail, shown on sample data.",
     "owner": "priya", "url": f"{VIDEO_HOST}/lumora/guard-in-three-minutes"},
    {"title": "Video: Getting started with Lumora Forecast", "content_type": "video", "stages": ["onboarding"],
     "product": FORECAST, "persona": OPERATIONS, "region": GLOBAL, "tags": "training, onboarding, how-to",
     "description": "For new planners: reading a forecast, its drivers, and making an override.",
     "owner": "tom", "url": f"{VIDEO_HOST}/lumora/getting-started-forecast"},
    # ROI calculators
    {"title": "ROI calculator: Lumora Platform", "content_type": "roi_calculator", "stages": ["decision"],
     "product": PLATFORM, "persona": CFO, "region": GLOBAL, "tags": "roi, business case, payback",
     "description": "Labour savings, retired platforms, subscription cost, three-year ROI and payback, as formulas.",
     "owner": "tom", "file": ("Lumora Platform ROI calculator.xlsx", "roi", "platform"),
     "approval": "Finance checked the formulas and the default assumptions"},
    {"title": "ROI calculator: Forecast for retail inventory", "content_type": "roi_calculator",
     "stages": ["consideration", "decision"], "product": FORECAST, "industry": RETAIL, "persona": CFO,
     "region": NA, "tags": "roi, markdowns, inventory", "owner": "tom", "status": "in_review",
     "description": "Markdown savings and recovered margin from better store-level forecasts.",
     "file": ("Forecast retail ROI calculator.xlsx", "roi", "retail_inventory")},
    # other
    {"title": "Price book and packaging guide", "content_type": "other", "stages": ["decision"],
     "product": PLATFORM, "persona": VP_SALES, "region": NA, "tags": "pricing, packaging, discounting",
     "description": "Tiers, list prices, add-ons, volume discounts and discount authority.",
     "owner": "priya", "file": ("Lumora price book.pdf", "pricing", "pricing"), "expires_in": 180,
     "approval": "Legal reviewed pricing language; deal desk confirmed discount bands"},
    {"title": "Customer onboarding guide", "content_type": "other", "stages": ["onboarding"],
     "product": PLATFORM, "persona": IT_DIRECTOR, "region": GLOBAL, "tags": "onboarding, implementation, customer",
     "description": "The first 60 days for new customers: team, weekly plan and how to get help.",
     "owner": "priya", "file": ("Lumora onboarding guide.docx", "paper", "onboarding_guide")},
    {"title": "Implementation plan template", "content_type": "other", "stages": ["onboarding"],
     "product": PLATFORM, "persona": IT_DIRECTOR, "region": GLOBAL, "tags": "implementation, project plan",
     "description": "Week-by-week implementation tasks, owners and customer inputs.",
     "owner": "tom", "file": ("Implementation plan.xlsx", "plan", "plan")},
    {"title": "Security questionnaire: standard answers", "content_type": "other", "stages": ["decision"],
     "product": GUARD, "persona": IT_DIRECTOR, "region": GLOBAL, "tags": "security review, rfp, soc 2",
     "description": "Approved answers for the questions that come up in every security review.",
     "owner": "priya", "file": ("Security questionnaire answers.xlsx", "questionnaire", "questionnaire"),
     "approval": "Security and legal approved every answer"},
    {"title": "Discovery call guide", "content_type": "other", "stages": ["consideration"],
     "product": PLATFORM, "persona": VP_SALES, "region": GLOBAL, "tags": "discovery, qualification, sdr",
     "description": "Questions that qualify an opportunity in 30 minutes.",
     "owner": "tom", "file": ("Discovery call guide.md", "paper", "discovery_guide")},
    {"title": "Launch announcement: Lumora Pipeline 2.0", "content_type": "other", "stages": ["awareness"],
     "product": PIPELINE, "persona": IT_DIRECTOR, "region": GLOBAL, "tags": "launch, enablement",
     "description": "Internal launch brief for Pipeline 2.0. Archived after the launch quarter.",
     "owner": "tom", "status": "archived", "file": ("Pipeline 2.0 launch brief.md", "paper", "pipeline_launch"),
     "archive": "Launch quarter over; the datasheet now covers these features"},
]
