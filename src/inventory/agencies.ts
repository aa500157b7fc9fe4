// The 36 provincial agencies connected to Đắk Lắk's mạng truyền số liệu chuyên dùng (dedicated
// government data network). The names are those of real provincial bodies in 2024; which 36 of
// them hold a point is not public, so this selection is an assumption to be replaced by the site list.
// The first entry is the network core (the provincial data centre of Sở Thông tin và Truyền thông),
// through which every other point reaches the ministries.

export interface AgencySeed {
  slug: string;
  name: string;
}

export const CORE_AGENCY_SLUG = 'stttt';

export const PROVINCIAL_AGENCIES: readonly AgencySeed[] = [
  { slug: 'stttt', name: 'Sở Thông tin và Truyền thông' },
  { slug: 'vpubnd', name: 'Văn phòng UBND tỉnh' },
  { slug: 'vpdbqh-hdnd', name: 'Văn phòng Đoàn ĐBQH và HĐND tỉnh' },
  { slug: 'vptu', name: 'Văn phòng Tỉnh ủy' },
  { slug: 'snv', name: 'Sở Nội vụ' },
  { slug: 'stp', name: 'Sở Tư pháp' },
  { slug: 'skhdt', name: 'Sở Kế hoạch và Đầu tư' },
  { slug: 'stc', name: 'Sở Tài chính' },
  { slug: 'sct', name: 'Sở Công Thương' },
  { slug: 'snnptnt', name: 'Sở Nông nghiệp và Phát triển nông thôn' },
  { slug: 'sgtvt', name: 'Sở Giao thông vận tải' },
  { slug: 'sxd', name: 'Sở Xây dựng' },
  { slug: 'stnmt', name: 'Sở Tài nguyên và Môi trường' },
  { slug: 'sldtbxh', name: 'Sở Lao động - Thương binh và Xã hội' },
  { slug: 'svhttdl', name: 'Sở Văn hóa, Thể thao và Du lịch' },
  { slug: 'skhcn', name: 'Sở Khoa học và Công nghệ' },
  { slug: 'sgddt', name: 'Sở Giáo dục và Đào tạo' },
  { slug: 'syt', name: 'Sở Y tế' },
  { slug: 'sngv', name: 'Sở Ngoại vụ' },
  { slug: 'ttt', name: 'Thanh tra tỉnh' },
  { slug: 'bdt', name: 'Ban Dân tộc tỉnh' },
  { slug: 'bqlkcn', name: 'Ban Quản lý các khu công nghiệp tỉnh' },
  { slug: 'mttq', name: 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh' },
  { slug: 'cat', name: 'Công an tỉnh' },
  { slug: 'bchqs', name: 'Bộ Chỉ huy Quân sự tỉnh' },
  { slug: 'tand', name: 'Tòa án nhân dân tỉnh' },
  { slug: 'vksnd', name: 'Viện Kiểm sát nhân dân tỉnh' },
  { slug: 'cthue', name: 'Cục Thuế tỉnh' },
  { slug: 'kbnn', name: 'Kho bạc Nhà nước tỉnh' },
  { slug: 'ctk', name: 'Cục Thống kê tỉnh' },
  { slug: 'bhxh', name: 'Bảo hiểm xã hội tỉnh' },
  { slug: 'cthads', name: 'Cục Thi hành án dân sự tỉnh' },
  { slug: 'ptth', name: 'Đài Phát thanh và Truyền hình tỉnh' },
  { slug: 'bao', name: 'Báo Đắk Lắk' },
  { slug: 'tct', name: 'Trường Chính trị tỉnh' },
  { slug: 'lmhtx', name: 'Liên minh Hợp tác xã tỉnh' },
];
