-- Every finding about the landed files, one row each: what ingest recorded (rejected rows,
-- unrecognised answers, column warnings, refused files), and what only the modelled audits
-- show: answers given although the skip logic says the question was not asked, and
-- submissions that tie with the one that counts. Identifiers appear only as pseudonyms, and
-- a value only as ingest shows it (the catalogue's text as it is, anything else by its shape):
-- a skip-logic finding shows the form's labels of the codes given, never an export's cell.
with

ingest_findings as (
    select
        la_code,
        source_file,
        file_sha256,
        source_row,
        column_header,
        question_id,
        offending_value,
        severity,
        reason,
        ingested_at,
        'ingest' as finding_source
    from {{ ref('stg_audit__ingest_findings') }}
),

landed_files as (
    select
        file_sha256,
        ingested_at
    from {{ ref('stg_audit__landed_files') }}
    where is_current
),

audits as (
    select
        audit_id,
        submission_key,
        la_code,
        source_file,
        file_sha256,
        source_row,
        form_version
    from {{ ref('int_audits_deduplicated') }}
),

violations as (
    select
        audits.audit_id,
        responses.submission_key,
        responses.question_id
    from {{ ref('int_question_responses_classified') }} as responses
    inner join audits on responses.submission_key = audits.submission_key
    where responses.response_status = 'skip_logic_violation'
),

answer_labels_given as (
    select
        answers.submission_key,
        answers.question_id,
        string_agg(answer_options.answer_label, ';' order by answer_options.sort_order)
            as answer_labels
    from {{ ref('int_answers_rolled_up') }} as answers
    inner join violations
        on
            answers.submission_key = violations.submission_key
            and answers.question_id = violations.question_id
    inner join {{ ref('form_answer_options') }} as answer_options
        on
            answers.question_id = answer_options.question_id
            and answers.answer_code = answer_options.answer_code
    group by answers.submission_key, answers.question_id
),

questions as (
    select
        question_id,
        default_header,
        asked_when_question,
        string_split(asked_when_codes, '|') as asked_when_codes
    from {{ ref('form_questions') }}
),

headers as (
    select
        question_id,
        form_version,
        header
    from {{ ref('form_question_headers') }}
),

-- The answers a follow-up is asked after, in the form's words: "Yes" or "No".
asked_when_labels as (
    select
        questions.question_id,
        string_agg(
            '"' || answer_options.answer_label || '"', ' or ' order by answer_options.sort_order
        ) as answer_labels
    from questions
    inner join {{ ref('form_answer_options') }} as answer_options
        on
            questions.asked_when_question = answer_options.question_id
            and list_contains(questions.asked_when_codes, answer_options.answer_code)
    group by questions.question_id
),

skip_logic_findings as (
    select
        audits.la_code,
        audits.source_file,
        audits.file_sha256,
        audits.source_row,
        coalesce(own_header.header, questions.default_header) as column_header,
        violations.question_id,
        answer_labels_given.answer_labels as offending_value,
        'warning' as severity,
        'answered although the form asks it only when "'
        || coalesce(parent_header.header, parent.default_header)
        || '" is '
        || asked_when_labels.answer_labels
        || '; the answer is left out of the metrics' as reason,
        landed_files.ingested_at,
        'skip_logic' as finding_source
    from violations
    inner join audits on violations.audit_id = audits.audit_id
    inner join questions on violations.question_id = questions.question_id
    inner join questions as parent on questions.asked_when_question = parent.question_id
    inner join asked_when_labels on violations.question_id = asked_when_labels.question_id
    left join headers as own_header
        on
            violations.question_id = own_header.question_id
            and audits.form_version = own_header.form_version
    left join headers as parent_header
        on
            parent.question_id = parent_header.question_id
            and audits.form_version = parent_header.form_version
    left join answer_labels_given
        on
            violations.submission_key = answer_labels_given.submission_key
            and violations.question_id = answer_labels_given.question_id
    left join landed_files on audits.file_sha256 = landed_files.file_sha256
),

ranked as (
    select * from {{ ref('int_audit_submissions_ranked') }}
),

-- Two submissions of one audit with the same completion time: the spec's rule (latest
-- completion wins) cannot choose, so the later-loaded one counts and this says so.
tie_findings as (
    select
        superseded.la_code,
        superseded.source_file,
        superseded.file_sha256,
        superseded.source_row,
        cast(null as varchar) as column_header,
        cast(null as varchar) as question_id,
        cast(null as varchar) as offending_value,
        'warning' as severity,
        'has the same child, review date and completion time as '
        || counted.source_file
        || ' row '
        || cast(counted.source_row as varchar)
        || ', which counts; this row is kept as history, not counted' as reason,
        superseded.ingested_at,
        'duplicate' as finding_source
    from ranked as superseded
    inner join ranked as counted
        on
            superseded.audit_id = counted.audit_id
            and counted.is_current_submission
    where
        not superseded.is_current_submission
        and superseded.completed_at = counted.completed_at
),

findings as (
    select * from ingest_findings
    union all
    select * from skip_logic_findings
    union all
    select * from tie_findings
)

select * from findings
