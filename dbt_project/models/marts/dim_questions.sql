-- One row per question: its section, type, skip logic, the form versions it is on and its
-- header on each of them. Identifier and dropped personal-data fields are described too, so
-- BI users can see what exists and how it is protected.
with

questions as (
    select * from {{ ref('form_questions') }}
),

sections as (
    select * from {{ ref('form_sections') }}
),

headers as (
    select
        question_id,
        string_agg(concat(form_version, ': ', header), ' | ' order by form_version)
            as version_headers
    from {{ ref('form_question_headers') }}
    group by question_id
),

final as (
    select
        questions.question_id,
        questions.section_id,
        sections.section_title,
        questions.question_type,
        questions.is_required,
        questions.pii,
        questions.since_version,
        questions.until_version,
        questions.asked_when_question,
        questions.asked_when_codes,
        questions.default_header,
        headers.version_headers,
        questions.sort_order
    from questions
    inner join sections on questions.section_id = sections.section_id
    left join headers on questions.question_id = headers.question_id
)

select * from final
