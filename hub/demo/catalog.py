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
    {"key": "priya", "role": "marketing", "name": "Priya Raman", "email": f"priya.raman@{DOMAIN}"},
    {"key": "tom", "role": "marketing", "name": "Tom Okafor", "email": f"tom.okafor@{DOMAIN}"},
    {"key": "marcus", "role": "sales", "name": "Marcus Lee", "email": f"marcus.lee@{DOMAIN}"},
    {"key": "sofia", "role": "sales", "name": "Sofia Alvarez", "email": f"sofia.alvarez@{DOMAIN}"},
    {"key": "jonas", "role": "sales", "name": "Jonas Berg", "email": f"jonas.berg@{DOMAIN}"},
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
            ("Governed metric layer", "Define revenue, margin or readmission rate once, version it, reuse it everywhere."),
            ("Ask in plain language", "Type 'net revenue by region last quarter' and get a chart built on certified metrics."),
            ("Board packs on schedule", "PDF and PowerPoint packs refreshed and delivered before the Monday meeting."),
            ("Row-level security", "Each user sees only the regions, cost centres or patients they are entitled to."),
            ("Embedded analytics", "Put dashboards inside Salesforce, ServiceNow or your own portal with single sign-on."),
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
            ("200+ managed connectors", "Epic Clarity, Oracle Health, Workday, SAP, Salesforce, Shopify, Tyler Munis and more."),
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
            ("Policy-based masking", "Mask, hash or tokenise by role; clinicians, analysts and auditors see different views."),
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
        "Discount authority: account executive up to 10%, regional vice president up to 20%, "
        "deal desk beyond 20% or for non-standard terms.",
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
            "Mercy Ridge ran three legacy data warehouses inherited through acquisitions. Quality teams "
            "rebuilt CMS quality measures by hand every quarter, a process that took six weeks and "
            "involved more than 400 spreadsheets.",
            "Many of those spreadsheets carried patient identifiers and travelled by e-mail. A 2022 "
            "internal audit flagged uncontrolled PHI as a high-risk finding with a 12-month deadline.",
        ],
        "solution": [
            "Lumora Pipeline replicated Epic Clarity, Workday and the supply-chain system into one "
            "Snowflake account using change data capture, so the nightly batch window disappeared.",
            "Lumora Guard classified 1.2 million columns on arrival and masked 41,000 of them as PHI. "
            "Clinicians see identifiers for their own patients; analysts and the quality team see "
            "de-identified views by default.",
            "Lumora Insight now hosts the certified quality, readmission and length-of-stay metrics "
            "used by every hospital's leadership team.",
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
            "Month-end management reporting took nine working days. Finance maintained 140 Excel "
            "models for deposit and loan forecasting, each owned by one analyst and each with its "
            "own definition of net interest margin.",
            "Regulators asked for stress-test forecasts that could be explained and reproduced, and "
            "the spreadsheet estate could do neither.",
        ],
        "solution": [
            "Harbor & Vale defined 62 certified finance metrics in Lumora Insight's governed layer, "
            "from net interest margin to cost-to-income ratio, and retired the competing versions.",
            "Lumora Forecast now produces deposit and loan forecasts by product and region. Each "
            "forecast lists its drivers, and every analyst override is logged with a reason for the "
            "model-risk team.",
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
            "Kestrel machines precision parts for automotive and aerospace customers. Demand plans "
            "lived in spreadsheets fed by monthly SAP extracts, and forecast error averaged 23%.",
            "Every miss meant expediting: premium freight, weekend shifts and split batches. "
            "Expediting spend reached EUR 2.9M in the year before the project.",
        ],
        "solution": [
            "Lumora Pipeline connected SAP S/4HANA and the plants' manufacturing execution systems, "
            "giving planners daily rather than monthly data.",
            "Lumora Forecast models demand for 38,000 part-customer combinations, using order books, "
            "customer build schedules and seasonality. Planners review exceptions instead of every line.",
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
            "Bramblewood's sales peak twice a year, and weather decides which weeks. Stores ran out "
            "of winter gear during cold snaps and marked down the surplus after mild ones; markdowns "
            "reached 18% of revenue.",
        ],
        "solution": [
            "Lumora Forecast produces SKU-by-store forecasts every night using sales history, planned "
            "promotions and ten-day weather forecasts. Store managers get a replenishment dashboard in "
            "Lumora Insight on their tablets.",
            "After a 40-user pilot in merchandising, Bramblewood expanded to 600 users across stores, "
            "planning and finance in the second year.",
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
            "The county had committed to publish its budget and service performance online, but data "
            "sat in 38 departmental systems. The budget portal was refreshed once a year by hand.",
            "Social-services data includes resident PII, so any shared platform had to prove strict "
            "access control before the county attorney would approve it.",
        ],
        "solution": [
            "Lumora Pipeline connected Tyler Munis, the 311 case system and the permitting platform. "
            "Lumora Guard masks resident PII and logs every access for the records officer.",
            "Public dashboards in Lumora Insight show spending, 311 response times and permit "
            "backlogs, refreshed weekly.",
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
             "Keep its operational reports. Lumora Pipeline can feed the same warehouse, and most "
             "customers move self-service and governed metrics to Lumora first, then retire Datavane "
             "seats at renewal."),
            ("Datavane is cheaper because it is in our enterprise agreement.",
             "Ask for the three-year total: servers, upgrade projects and administrators. Customers "
             "like Harbor & Vale found the administration cost alone exceeded Lumora's subscription."),
            ("IT standardised on Datavane.",
             "Lumora runs on the same SSO, SCIM and warehouse, and Guard gives IT more control, not less. "
             "Offer an architecture session with our solutions engineer."),
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
             "Free until the first audit or the first large dataset. Show the credit calculator "
             "from their pricing page at 100 users and daily refreshes; it usually lands above our "
             "Professional tier."),
            ("Our analysts prefer Quantiq's dashboards.",
             "Great analysts deserve trusted inputs. Lumora's governed layer means their work is "
             "reused, not rebuilt; offer a side-by-side build in the proof of concept."),
            ("We can add governance later.",
             "Retro-fitting definitions across hundreds of dashboards is the expensive path. Ask "
             "how many versions of 'active customer' exist today."),
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
             "Keep it. Lumora Forecast writes approved plans into Graphwell through its import API, "
             "so finance keeps its close process and gains a better forecast."),
            ("Graphwell has machine learning too.",
             "Ask which tier includes it and what it explains. Lumora shows the top drivers behind "
             "every number and logs every override."),
        ],
        "landmines": ["How are operational drivers like weather or promotions reflected in the plan?",
                      "What did the Graphwell implementation partner quote for phase two?"],
    },
}
