-- Every way a Russian number is typed (CRM forms) or dialled (Telphin: 8..., 7..., 10
-- digits) normalises to the same E.164 and so to the same salted hash, whatever follows it
-- in a free-text field (an extension, a second number, a comment); an extension name is
-- not a phone, nor are words or a number with too many digits for its country; e-mails
-- compare lower-cased and trimmed. Returns the inputs that break it.
-- (A data test over literals: dbt unit tests cannot mock the Parquet-backed sources.)
with

typed_phones as (
    select typed, expected from (
        values
        ('+7 (913) 123-45-67', '+79131234567'),
        ('8 913 1234567', '+79131234567'),
        ('79131234567', '+79131234567'),
        ('8(913)123-45-67', '+79131234567'),
        ('+79131234567', '+79131234567'),
        ('9131234567', '+79131234567'),
        ('89131234567', '+79131234567'),
        ('+7 (913) 123-45-67 доб. 12', '+79131234567'),
        ('+7 913 123-45-67 доб12', '+79131234567'),
        ('8 913 123 45 67 вн. 12', '+79131234567'),
        ('+7 913 123-45-67 ext. 12', '+79131234567'),
        ('+79131234567x12', '+79131234567'),
        ('8 913 123 45 67 #12', '+79131234567'),
        ('8(913)123-45-67, 12', '+79131234567'),
        ('913 123-45-67; 12', '+79131234567'),
        ('+7 (913) 123-45-67 (доб. 12)', '+79131234567'),
        ('тел.: +7 913 123-45-67', '+79131234567'),
        ('+7 913 123-45-67 / +7 999 765-43-21', '+79131234567'),
        ('+7 913 123 45 67', '+79131234567'),
        ('8 913 123–45–67', '+79131234567'),
        ('495 123-45-67', '+74951234567'),
        ('+375 29 123-45-67', '+375291234567'),
        ('+7 913 123 45 67 12', null),
        ('звонить после 18', null),
        ('00000*101', null)
    ) as phones (typed, expected)
),

typed_emails as (
    select typed, expected from (
        values
        (' Ivan.Petrov@Mail.RU ', 'ivan.petrov@mail.ru'),
        ('ivan.petrov@mail.ru', 'ivan.petrov@mail.ru')
    ) as emails (typed, expected)
),

phone_failures as (
    select typed, expected
    from typed_phones
    where
        coalesce({{ phone_e164('typed') }}, 'none') != coalesce(expected, 'none')
        or coalesce({{ phone_hash('typed') }}, 'none')
        != coalesce({{ salted_hash('expected') }}, 'none')
),

email_failures as (
    select typed, expected
    from typed_emails
    where {{ email_hash('typed') }} != {{ salted_hash('expected') }}
)

select * from phone_failures
union all
select * from email_failures
